//! Standard output, buffered, with every write checked: a write error ends the command
//! (quietly for a closed pipe, with exit 2 otherwise, see [`crate::exit::report`]). Generators
//! that write through [`Out::writer`] and would panic on an error (shell completions) get a
//! writer that keeps the first error for the next [`Out::flush`] instead.

use std::io::{self, Write};

/// Buffered standard output.
pub struct Out {
    w: Deferred,
}

/// The buffered stream, and the first error a [`Out::writer`] user met, reported later.
struct Deferred {
    w: io::BufWriter<io::StdoutLock<'static>>,
    error: Option<io::Error>,
}

impl Write for Deferred {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.error.is_none() {
            if let Err(e) = self.w.write_all(buf) {
                self.error = Some(e);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.error.is_none() {
            if let Err(e) = self.w.flush() {
                self.error = Some(e);
            }
        }
        Ok(())
    }
}

impl Out {
    /// Standard output, locked for the command's life.
    pub fn stdout() -> Out {
        Out {
            w: Deferred {
                w: io::BufWriter::new(io::stdout().lock()),
                error: None,
            },
        }
    }

    /// The error a [`Out::writer`] user met, if any.
    fn deferred(&mut self) -> io::Result<()> {
        self.w.error.take().map_or(Ok(()), Err)
    }

    /// Writes `text` and a newline.
    pub fn line(&mut self, text: &str) -> io::Result<()> {
        self.deferred()?;
        self.w.w.write_all(text.as_bytes())?;
        self.w.w.write_all(b"\n")
    }

    /// Writes `text` as it is.
    pub fn text(&mut self, text: &str) -> io::Result<()> {
        self.deferred()?;
        self.w.w.write_all(text.as_bytes())
    }

    /// Flushes what is buffered; reports the first error met through [`Out::writer`].
    pub fn flush(&mut self) -> io::Result<()> {
        self.deferred()?;
        self.w.w.flush()
    }

    /// The writer itself, for generators that take one (shell completions). Its writes never
    /// fail: the first error is kept and returned by the next [`Out::flush`] (which `main`
    /// calls after every command), [`Out::line`] or [`Out::text`].
    pub fn writer(&mut self) -> &mut impl Write {
        &mut self.w
    }
}
