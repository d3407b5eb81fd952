//! The HTML report: one self-contained page per run ([`run`]), per what-if forecast or sweep
//! ([`whatif`]), and per counterexample of `mtosim explore` (a run page of the counterexample's
//! scenario). Every page is the same shell: the stylesheet and the script of this module
//! (`html/report.css`, `html/report.js`, compiled in), the data as compact JSON in
//! non-executed `<script>` blocks, and nothing fetched at view time (no fonts, images or
//! scripts from elsewhere). The data comes from the typed trace, the engine's events and
//! views, and what-if forecasts, never from narration text read back; the script draws the
//! topology, timeline, charts and lists from it, so the page's size follows the data, not the
//! drawing.
//!
//! Pages are written to a caller's writer as they are built (a run's rows as its entries
//! arrive), so memory does not grow with the page. The same inputs give the same bytes: no
//! clock is read and every collection is ordered.

pub mod run;
pub mod whatif;

use serde_json::Value;
use std::io::{self, Write};

/// The stylesheet every page inlines.
const CSS: &str = include_str!("html/report.css");
/// The script every page inlines: it reads the page's data blocks and draws the page.
const JS: &str = include_str!("html/report.js");

/// `s` escaped for HTML text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `v` as compact JSON that is safe inside a `<script>` block: every `<` is written as
/// `\u003c`, so no `</script>` (or `<!--`) can appear in it.
pub fn script_json(v: &Value) -> String {
    v.to_string().replace('<', "\\u003c")
}

/// Writes the page's head and the opening of its body: `kind` names the page's layout for the
/// script (`run`, `whatif`).
fn begin(w: &mut dyn Write, title: &str, kind: &str) -> io::Result<()> {
    write!(
        w,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"mtosim {}\">\n<title>{}</title>\n<style>\n{CSS}</style>\n\
         </head>\n<body data-page=\"{kind}\">\n\
         <a class=\"skip\" href=\"#main\">Skip to the report</a>\n\
         <noscript><p class=\"warn\">This report draws its diagrams and lists with the script \
         embedded in the page; turn scripts on to see them.</p></noscript>\n",
        env!("CARGO_PKG_VERSION"),
        escape(title)
    )
}

/// Writes one data block: `<script type="application/json" id="ID">JSON</script>`.
fn data_block(w: &mut dyn Write, id: &str, v: &Value) -> io::Result<()> {
    writeln!(
        w,
        "<script type=\"application/json\" id=\"{id}\">{}</script>",
        script_json(v)
    )
}

/// Writes the script and closes the page.
fn end(w: &mut dyn Write) -> io::Result<()> {
    write!(w, "<script>\n{JS}</script>\n</body>\n</html>\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn script_json_never_closes_its_block() {
        let s = script_json(&json!({"text": "</script><!-- x"}));
        assert!(!s.contains('<'), "{s}");
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["text"], "</script><!-- x");
    }

    #[test]
    fn the_shell_is_self_contained() {
        let mut page = Vec::new();
        begin(&mut page, "A <b>", "run").unwrap();
        end(&mut page).unwrap();
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains("<title>A &lt;b&gt;</title>"));
        for outside in [
            "<link",
            " src=",
            "@import",
            "url(http",
            "url(//",
            "@font-face",
            "fetch(",
            "XMLHttpRequest",
        ] {
            assert!(
                !page.contains(outside),
                "the shell refers outside itself: {outside}"
            );
        }
    }
}
