//! Standard output, buffered, with every write checked: a write error ends the command
//! (quietly for a closed pipe, with exit 2 otherwise, see [`crate::exit::report`]).

use std::io::{self, Write};

/// Buffered standard output.
pub struct Out {
    w: io::BufWriter<io::StdoutLock<'static>>,
}

impl Out {
    /// Standard output, locked for the command's life.
    pub fn stdout() -> Out {
        Out {
            w: io::BufWriter::new(io::stdout().lock()),
        }
    }

    /// Writes `text` and a newline.
    pub fn line(&mut self, text: &str) -> io::Result<()> {
        self.w.write_all(text.as_bytes())?;
        self.w.write_all(b"\n")
    }

    /// Writes `text` as it is.
    pub fn text(&mut self, text: &str) -> io::Result<()> {
        self.w.write_all(text.as_bytes())
    }

    /// Flushes what is buffered.
    pub fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }

    /// The writer itself, for generators that take one (shell completions).
    pub fn writer(&mut self) -> &mut impl Write {
        &mut self.w
    }
}
