//! The page of a what-if: a forecast (from a scenario's state or the quick form) with its
//! one-screen summary, the tenants, every pair and the findings; or a sweep with its chart (the
//! SVG `mtosim whatif --sweep --out` writes, inline) and its table. The forecast's JSON is the
//! document `mtosim whatif --json` prints, streamed pair by pair into the page.

use super::{begin, data_block, end, escape};
use crate::whatif::{self as show, Sweep, SweepRow};
use mtosim_engine::whatif::{Forecast, QuickParams};
use serde_json::json;
use std::io::{self, Write};

/// A writer that passes JSON on with every `<` as `\u003c` (valid only inside JSON strings,
/// the one place JSON has one), so that the data cannot close its `<script>` block.
struct ScriptSafe<'w>(&'w mut dyn Write);

impl Write for ScriptSafe<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for (i, part) in buf.split(|&b| b == b'<').enumerate() {
            if i > 0 {
                self.0.write_all(b"\\u003c")?;
            }
            self.0.write_all(part)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Writes the page header.
fn header(w: &mut dyn Write, title: &str, sub: &str) -> io::Result<()> {
    writeln!(
        w,
        "<header class=\"top\"><h1>{}</h1><p class=\"sub\">{}</p></header>",
        escape(title),
        escape(sub)
    )
}

/// Writes the page of one forecast: `title` names what was forecast (the scenario, or the
/// quick form's parameters).
pub fn forecast_page(w: &mut dyn Write, title: &str, f: &Forecast) -> io::Result<()> {
    begin(w, &format!("{title} — mtosim what-if"), "whatif")?;
    header(w, title, &format!("what-if forecast · rules {}", f.rules))?;
    writeln!(
        w,
        "<main id=\"main\"><section id=\"overview\" aria-labelledby=\"h-overview\"><h2 id=\"h-overview\">Summary</h2><pre class=\"text\">{}</pre></section></main>",
        escape(&show::summary(f))
    )?;
    w.write_all(b"<script type=\"application/json\" id=\"d-whatif\">")?;
    show::write_json(&mut ScriptSafe(w), f)?;
    w.write_all(b"</script>\n")?;
    end(w)
}

/// Writes the page of a sweep of the quick form `base` over `sw`.
pub fn sweep_page(w: &mut dyn Write, base: &QuickParams, sw: &Sweep, rows: &[SweepRow]) -> io::Result<()> {
    let title = format!("Sweep over {}", sw.name());
    let svg = show::sweep_svg(base, sw, rows).map_err(io::Error::other)?;
    let svg = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg.as_str(),
    };
    begin(w, &format!("{title} — mtosim what-if"), "sweep")?;
    let swept = |name: &str, v: String| if sw.name() == name { "N".to_string() } else { v };
    header(
        w,
        &title,
        &format!(
            "what-if sweep · {} tenants, {} users, share {}, {} topology, rules {}, quota {}",
            swept("tenants", base.tenants.to_string()),
            swept("users", base.users.to_string()),
            swept("share", base.share.to_string()),
            base.topology.name(),
            base.rules.kind.name(),
            base.object_quota
        ),
    )?;
    writeln!(
        w,
        "<main id=\"main\"><section id=\"chart\" aria-labelledby=\"h-chart\"><h2 id=\"h-chart\">Chart</h2><figure class=\"chart\" role=\"img\" aria-label=\"accounts in the busiest tenant and the smallest quota headroom against {}\">{svg}</figure></section></main>",
        escape(sw.name())
    )?;
    let data: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            json!([
                r.value,
                r.accounts_max,
                r.objects_max,
                r.headroom_min,
                r.failed,
                (r.minutes_max * 10.0).round() / 10.0
            ])
        })
        .collect();
    data_block(
        w,
        "d-sweep",
        &json!({
            "columns": [sw.name(), "accounts in the busiest tenant", "objects there", "smallest quota headroom", "failed creations", "minutes until every account exists"],
            "rows": data,
        }),
    )?;
    end(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mtosim_engine::whatif::{quick_with, Org, Topology};
    use mtosim_engine::{RuleSet, RuleSetKind};

    fn params(tenants: u32) -> QuickParams {
        QuickParams {
            tenants,
            users: 100,
            share: 1.0,
            topology: Topology::parse("mesh").unwrap(),
            rules: RuleSet::new(RuleSetKind::Ga),
            object_quota: 300_000,
        }
    }

    #[test]
    fn script_safe_escapes_only_angle_brackets() {
        let mut out = Vec::new();
        ScriptSafe(&mut out).write_all(b"{\"a\":\"</script>\"}").unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "{\"a\":\"\\u003c/script>\"}");
    }

    #[test]
    fn a_forecast_page_embeds_the_json_document() {
        let f = quick_with(&params(3), Org::Mto);
        let mut page = Vec::new();
        forecast_page(&mut page, "3 tenants", &f).unwrap();
        let page = String::from_utf8(page).unwrap();
        let at = page.find("id=\"d-whatif\">").unwrap() + 14;
        let len = page[at..].find("</script>").unwrap();
        let doc: serde_json::Value = serde_json::from_str(&page[at..at + len]).unwrap();
        assert_eq!(doc["pairs"].as_array().unwrap().len(), 6);
        let mut direct = Vec::new();
        show::write_json(&mut direct, &f).unwrap();
        let direct: serde_json::Value = serde_json::from_slice(&direct).unwrap();
        assert_eq!(doc, direct);
    }

    #[test]
    fn a_sweep_page_inlines_its_chart() {
        let sw = Sweep::parse("tenants=2..6").unwrap();
        let rows = show::sweep(&params(2), &sw);
        let mut page = Vec::new();
        sweep_page(&mut page, &params(2), &sw, &rows).unwrap();
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains("<figure class=\"chart\""));
        assert!(!page.contains("<?xml"));
        assert_eq!(page.matches("<svg").count(), 1);
    }
}
