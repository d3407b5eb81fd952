//! Attribute-mapping expressions (`mtosim_engine::expr::Expr::parse`) on arbitrary UTF-8
//! (other bytes are skipped).
//!
//! When an expression parses: its canonical form parses back to an equal expression
//! (`Expr::parse(&e.to_string()) == Ok(e)`, as the module documentation promises), and it is
//! evaluated twice against a small context ([`mtosim_fuzz::ExprCtx`]: a few single- and
//! multi-valued attributes, a fixed clock, a seeded random stream) with the same result each
//! time. Texts over `EXPRESSION_CHARS_MAX` characters or nested deeper than
//! `EXPRESSION_DEPTH_MAX` must be refused with an error; both are reachable within `-max_len`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtosim_engine::expr::Expr;
use mtosim_fuzz::ExprCtx;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let e = match Expr::parse(text) {
        Ok(e) => e,
        Err(err) => {
            assert!(
                err.offset <= text.len() && err.len <= text.len() - err.offset,
                "error span {}+{} outside a text of {} bytes",
                err.offset,
                err.len,
                text.len()
            );
            let _ = err.to_string();
            return;
        }
    };
    let shown = e.to_string();
    assert_eq!(
        Expr::parse(&shown),
        Ok(e.clone()),
        "the canonical form {shown:?} of {text:?} does not parse back to it"
    );
    let _ = (e.attributes(), e.is_pure(), e.functions(), e.redacts());
    let first = e.eval(&mut ExprCtx::new(1));
    let second = e.eval(&mut ExprCtx::new(1));
    assert_eq!(
        first, second,
        "{text:?} evaluates differently from the same context"
    );
    if let Ok(out) = &first {
        assert!(!out.flows || !out.value.is_null(), "{text:?}: a null value flows");
    }
});
