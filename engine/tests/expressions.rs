//! The attribute-mapping expression language against Microsoft's page: every row of
//! `expression-examples.tsv` (the page's examples, with their stated, prose or implied results,
//! and the edge rules its prose states) is parsed, rendered and parsed back, and evaluated to
//! exactly its expected value; random results are checked for their shape and constraints, the
//! page's unsupported IIF forms for the documented failure. Property tests: generated
//! expressions render and parse back to themselves, and no text makes parsing or evaluation
//! panic.

use mtosim_engine::expr::{Context, Expr, Value, FUNCTIONS};
use mtosim_engine::SimTime;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// `PROPTEST_CASES` if set, else `release` cases in release builds and `debug` in debug ones
/// (as `tests/common` does for the other property tests).
fn cases(release: u32, debug: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { debug } else { release })
}

/// A fixed seed, so that every run generates the same cases; `PROPTEST_RNG_SEED=n` (or
/// `random`) explores others.
fn seed() -> RngSeed {
    match std::env::var("PROPTEST_RNG_SEED").ok().as_deref() {
        None => RngSeed::Fixed(20_250_806),
        Some("random") => RngSeed::Random,
        Some(v) => v.parse().map(RngSeed::Fixed).unwrap_or(RngSeed::Random),
    }
}

const TABLE: &str = include_str!("expression-examples.tsv");
/// The clock when a row's `now` is empty: the page's Now() sample, 7/2/2021 3:33:38 PM.
const DEFAULT_NOW: &str = "2021-07-02T15:33:38Z";
/// Special characters of RandomString (Windows' password complexity reference).
const SPECIAL: &str = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/";

struct Row {
    line: usize,
    expression: String,
    attributes: Vec<(String, Option<String>)>,
    existing: Vec<String>,
    now: i64,
    expected: String,
}

fn rows() -> Vec<Row> {
    let mut lines = TABLE.lines().enumerate().filter(|(_, l)| !l.starts_with('#'));
    let (_, header) = lines.next().expect("a header row");
    assert_eq!(header, "expression\tattributes\tnow\texpected\tsource\tnote");
    lines
        .map(|(i, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 6, "line {}: {} columns", i + 1, cols.len());
            let mut attributes = Vec::new();
            let mut existing = Vec::new();
            for pair in cols[1].split(';').filter(|p| !p.is_empty()) {
                let (name, value) = pair
                    .split_once('=')
                    .unwrap_or_else(|| panic!("line {}: {pair}", i + 1));
                let value = match value {
                    "NULL" => None,
                    "\"\"" => Some(String::new()),
                    v => Some(v.to_string()),
                };
                if name == "@exists" {
                    existing.push(value.unwrap_or_default());
                } else {
                    attributes.push((name.to_string(), value));
                }
            }
            let now = if cols[2].is_empty() { DEFAULT_NOW } else { cols[2] };
            let now = SimTime::parse_rfc3339(now)
                .unwrap_or_else(|e| panic!("line {}: {e}", i + 1))
                .0;
            Row {
                line: i + 1,
                expression: cols[0].to_string(),
                attributes,
                existing,
                now,
                expected: cols[3].to_string(),
            }
        })
        .collect()
}

/// A user with a row's attributes, a clock, a seeded stream and the target's existing values.
struct Ctx {
    attributes: Vec<(String, Option<String>)>,
    existing: Vec<String>,
    now: i64,
    state: u64,
}

impl Ctx {
    fn new(row: &Row, seed: u64) -> Ctx {
        Ctx {
            attributes: row.attributes.clone(),
            existing: row.existing.clone(),
            now: row.now,
            state: seed,
        }
    }
}

impl Context for Ctx {
    fn attribute(&self, name: &str) -> Option<Value> {
        let mut values: Vec<String> = self
            .attributes
            .iter()
            .filter(|(n, _)| n == name)
            .filter_map(|(_, v)| v.clone())
            .collect();
        match values.len() {
            0 => None,
            1 => values.pop().map(Value::Str),
            _ => Some(Value::Multi(values)),
        }
    }
    fn now(&self) -> i64 {
        self.now
    }
    fn random(&mut self) -> u64 {
        // splitmix64
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn exists(&self, value: &str) -> bool {
        self.existing.iter().any(|e| e == value)
    }
}

fn render(v: &Value) -> String {
    match v {
        Value::Null => "<null>".into(),
        Value::Str(s) => s.clone(),
        Value::Multi(items) => {
            let quoted: Vec<String> = items.iter().map(|s| format!("\"{s}\"")).collect();
            format!("[{}]", quoted.join(", "))
        }
    }
}

fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    lens == [8, 4, 4, 4, 12]
        && s.chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
        && groups[2].starts_with('4')
        && groups[3].starts_with(['8', '9', 'a', 'b'])
}

/// Checks `<random length=n digits=a special=b capital=c lower=d avoid=xyz>` against `s`.
fn check_random(spec: &str, s: &str) -> Result<(), String> {
    let mut want = std::collections::BTreeMap::new();
    for kv in spec.split(' ') {
        let (k, v) = kv.split_once('=').ok_or_else(|| format!("bad spec {kv}"))?;
        want.insert(k, v);
    }
    let num = |k: &str| {
        want.get(k)
            .map_or(Ok(0), |v| v.parse::<usize>().map_err(|e| format!("{k}: {e}")))
    };
    let count = |f: &dyn Fn(char) -> bool| s.chars().filter(|c| f(*c)).count();
    let checks = [
        ("length", s.chars().count(), true),
        ("digits", count(&|c| c.is_ascii_digit()), false),
        ("special", count(&|c| SPECIAL.contains(c)), false),
        ("capital", count(&|c| c.is_ascii_uppercase()), false),
        ("lower", count(&|c| c.is_ascii_lowercase()), false),
    ];
    for (k, got, exact) in checks {
        let n = num(k)?;
        if (exact && got != n) || got < n {
            return Err(format!(
                "{k}: wanted {}{n}, got {got} in {s:?}",
                if exact { "" } else { "at least " }
            ));
        }
    }
    let avoid = want.get("avoid").copied().unwrap_or("");
    if let Some(c) = s.chars().find(|c| avoid.contains(*c)) {
        return Err(format!("{s:?} has {c:?}, which is to be avoided"));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || SPECIAL.contains(*c)))
    {
        return Err(format!("{s:?} has {c:?}, which is no RandomString character"));
    }
    Ok(())
}

/// Why a row does not hold, if it doesn't.
fn check(row: &Row, seed: u64) -> Result<(), String> {
    let expected = row.expected.as_str();
    let parsed = Expr::parse(&row.expression);
    if let Some(text) = expected
        .strip_prefix("<parse error: ")
        .and_then(|s| s.strip_suffix('>'))
    {
        return match parsed {
            Err(e) if e.message.contains(text) => Ok(()),
            Err(e) => Err(format!("parse error {:?} lacks {text:?}", e.message)),
            Ok(_) => Err("parsed, but the page says it is not an expression".into()),
        };
    }
    let e = parsed.map_err(|e| format!("does not parse: {e}"))?;
    let rendered = e.to_string();
    let again =
        Expr::parse(&rendered).map_err(|err| format!("its rendering {rendered} does not parse: {err}"))?;
    if again != e || again.to_string() != rendered {
        return Err(format!("its rendering {rendered} parses to something else"));
    }
    let outcome = e.eval(&mut Ctx::new(row, seed));
    if let Some(text) = expected
        .strip_prefix("<error: ")
        .and_then(|s| s.strip_suffix('>'))
    {
        return match outcome {
            Err(err) if err.message.contains(text) => Ok(()),
            Err(err) => Err(format!("error {:?} lacks {text:?}", err.message)),
            Ok(o) => Err(format!("evaluated to {:?}; an error was expected", o)),
        };
    }
    let outcome = outcome.map_err(|err| format!("evaluation failed: {err}"))?;
    let got = render(&outcome.value);
    let random_spec = expected
        .strip_prefix("<random ")
        .and_then(|s| s.strip_suffix('>'));
    match expected {
        "<dropped>" if !outcome.flows && outcome.value.is_null_or_empty() => Ok(()),
        "<dropped>" => Err(format!("{outcome:?} flows; it should be dropped")),
        "<null>" if outcome.value == Value::Null && !outcome.flows => Ok(()),
        "<guid>" if outcome.flows && is_guid(&got) => Ok(()),
        _ if random_spec.is_some() => match (&outcome.value, random_spec) {
            (Value::Str(s), Some(spec)) if outcome.flows => check_random(spec, s),
            _ => Err(format!("{outcome:?} is not a flowing random string")),
        },
        _ if got == expected && outcome.flows => Ok(()),
        _ => Err(format!(
            "gave {got:?} (flows: {}), expected {expected:?}",
            outcome.flows
        )),
    }
}

#[test]
fn every_row_of_the_example_table_holds() {
    let rows = rows();
    assert!(rows.len() >= 130, "{} rows", rows.len());
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            check(r, 7)
                .err()
                .map(|why| format!("line {}: {}: {why}", r.line, r.expression))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows fail:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
    eprintln!("{} example rows hold", rows.len());
}

#[test]
fn random_rows_hold_for_many_seeds() {
    for row in rows()
        .iter()
        .filter(|r| r.expected.starts_with("<random") || r.expected == "<guid>")
    {
        for seed in 0..200 {
            if let Err(why) = check(row, seed) {
                panic!("line {}, seed {seed}: {why}", row.line);
            }
        }
    }
}

#[test]
fn the_table_cites_the_page_and_covers_every_function() {
    assert!(TABLE.contains("docs/identity/app-provisioning/functions-for-customizing-application-data.md"));
    assert!(TABLE.contains("dda85497b0408a40cef3f92aed14fa64872ccfbb"));
    let mut used: Vec<&'static str> = Vec::new();
    for row in rows() {
        if let Ok(e) = Expr::parse(&row.expression) {
            used.extend(e.functions());
        }
    }
    let missing: Vec<&&str> = FUNCTIONS.iter().filter(|f| !used.contains(f)).collect();
    assert!(missing.is_empty(), "no row calls {missing:?}");
}

#[test]
fn expressions_report_what_they_read_and_call() {
    let e = Expr::parse(
        "Coalesce(IIF([country] = \"USA\", [state], [country]), Redact(RandomString(6, 3, 0, 0, 3)), [mail])",
    )
    .unwrap();
    assert_eq!(e.attributes(), ["country", "state", "mail"]);
    assert_eq!(e.functions(), ["Coalesce", "IIF", "Redact", "RandomString"]);
    assert!(!e.is_pure());
    assert!(e.redacts());
    let p = Expr::parse("toupper([mail])").unwrap();
    assert!(p.is_pure() && !p.redacts());
    assert_eq!(p.functions(), ["ToUpper"]);
    assert_eq!(p.to_string(), "ToUpper([mail])");
}

#[test]
fn canonical_rendering() {
    let e = Expr::parse("replace( [mail] ,\"@contoso.com\", , ,\"\", ,)").unwrap();
    assert_eq!(e.to_string(), "Replace([mail], \"@contoso.com\", , , \"\", , )");
    let e = Expr::parse("IIF([a]=\"x\\\"y\\\\\",&HF,-3)").unwrap();
    assert_eq!(e.to_string(), "IIF([a] = \"x\\\"y\\\\\", 15, -3)");
    let e = Expr::parse("InStr(\"a\", \"b\", , VBTEXTCOMPARE)").unwrap();
    assert_eq!(e.to_string(), "InStr(\"a\", \"b\", , vbTextCompare)");
}

#[test]
fn errors_display_their_position() {
    let err = Expr::parse("Join(\",\", [a], Appnd([b], \"x\"))").unwrap_err();
    assert_eq!((err.offset, err.len), (15, 5));
    assert_eq!(
        err.to_string(),
        "unknown function Appnd; did you mean Append? (at byte 15)"
    );
}

// ----- property tests ---------------------------------------------------------------------

fn config() -> Config {
    Config {
        cases: cases(5_000, 300),
        rng_seed: seed(),
        // beside this crate's manifest (tests run from there), committed
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Direct(
            "proptest-regressions/expressions.txt",
        ))),
        ..Config::default()
    }
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "givenName",
            "surname",
            "mail",
            "proxyAddresses",
            "empty",
            "absent",
            "number"
        ])
        .prop_map(|n| format!("[{n}]")),
        any::<String>().prop_map(|s| quoted(&s)),
        "[ a-zA-Z0-9,.@'\\-]{0,12}".prop_map(|s| quoted(&s)),
        any::<i64>().prop_map(|n| n.to_string()),
        (-5i64..300).prop_map(|n| n.to_string()),
        (0u32..0xFFFF).prop_map(|n| format!("&H{n:X}")),
        Just("Now()".to_string()),
        Just("Guid()".to_string()),
    ]
}

fn expression() -> impl Strategy<Value = String> {
    let ops = prop::sample::select(vec!["=", "<>", ">", ">=", "<", "<="]);
    leaf().prop_recursive(5, 48, 4, move |e| {
        let one = prop::sample::select(vec![
            "ToLower",
            "ToUpper",
            "StripSpaces",
            "NormalizeDiacritics",
            "PCase",
            "CStr",
            "CBool",
            "Not",
            "IsNull",
            "IsNullOrEmpty",
            "IsPresent",
            "IsString",
            "Count",
            "ConvertToBase64",
            "ConvertToUTF8Hex",
            "IgnoreFlowIfNullOrEmpty",
            "Redact",
            "RemoveDuplicates",
            "CDate",
            "NumFromDate",
            "DateFromNum",
            "AltSecIdFromNetId",
        ]);
        let two = prop::sample::select(vec![
            "Append", "Left", "Item", "Split", "BitAnd", "InStr", "PCase", "ToLower",
        ]);
        prop_oneof![
            (one, e.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            (two, e.clone(), e.clone()).prop_map(|(f, a, b)| format!("{f}({a}, {b})")),
            (e.clone(), e.clone(), e.clone()).prop_map(|(a, b, c)| format!("Mid({a}, {b}, {c})")),
            (e.clone(), e.clone(), e.clone()).prop_map(|(a, b, c)| format!("Word({a},{b},{c})")),
            prop::collection::vec(e.clone(), 1..4).prop_map(|v| format!("Join(\", \", {})", v.join(", "))),
            prop::collection::vec(e.clone(), 1..4).prop_map(|v| format!("Coalesce({})", v.join(","))),
            (e.clone(), ops.clone(), e.clone(), e.clone(), e.clone())
                .prop_map(|(a, op, b, t, f)| format!("IIF({a} {op} {b}, {t}, {f})")),
            (e.clone(), e.clone(), e.clone(), e.clone())
                .prop_map(|(s, d, k, v)| format!("Switch({s}, {d}, {k}, {v})")),
            (e.clone(), e.clone()).prop_map(|(s, k)| format!("Switch({s}, , {k}, \"v\", \"\", \"w\")")),
            (e.clone(), e.clone(), e.clone()).prop_map(|(s, o, n)| format!("Replace({s}, {o}, , , {n}, , )")),
            (e.clone(), e.clone()).prop_map(|(s, t)| format!("Replace({s}, \"<u>\", , , , , {t})")),
            (e.clone(), e.clone()).prop_map(|(s, r)| format!("Replace({s}, , \"(?<w>[a-z]+)\", , {r}, , )")),
            (e.clone(), e.clone())
                .prop_map(|(s, a)| format!("Replace({s}, , \"(?<d>\\\\d+)\", \"d\", , {a}, )")),
            (e.clone(), e.clone()).prop_map(|(a, b)| format!("InStr({a}, {b}, 2, vbTextCompare)")),
            (e.clone(), e.clone()).prop_map(|(n, d)| format!("DateAdd(\"d\", {n}, {d})")),
            (e.clone(), e.clone()).prop_map(|(a, b)| format!("DateDiff(\"ww\", {a}, {b})")),
            e.clone()
                .prop_map(|s| format!("FormatDateTime({s}, , \"yyyy-MM-dd\", \"M/d/yy HH:mm K\")")),
            (0i64..20, 0i64..3, 0i64..3)
                .prop_map(|(l, d, s)| format!("RandomString({}, {d}, {s}, 0, 0, \"xyz\")", l + d + s)),
        ]
    })
}

/// A user whose attributes are fixed functions of their names.
struct Prop {
    state: u64,
}

impl Context for Prop {
    fn attribute(&self, name: &str) -> Option<Value> {
        match name {
            "givenName" => Some(Value::Str("Zoë".into())),
            "surname" => Some(Value::Str("O'Neil-Smith".into())),
            "mail" => Some(Value::Str("zoe@contoso.com".into())),
            "proxyAddresses" => Some(Value::Multi(vec![
                "SMTP:a@x".into(),
                "smtp:b@x".into(),
                "SMTP:a@x".into(),
            ])),
            "empty" => Some(Value::Str(String::new())),
            "number" => Some(Value::Str("129699324000000000".into())),
            _ => None,
        }
    }
    fn now(&self) -> i64 {
        1_629_913_278
    }
    fn random(&mut self) -> u64 {
        self.state = self.state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        self.state
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn generated_expressions_parse_render_and_parse_back(text in expression()) {
        let e = Expr::parse(&text).map_err(|err| TestCaseError::fail(format!("{text}: {err}")))?;
        let rendered = e.to_string();
        let again = Expr::parse(&rendered).map_err(|err| TestCaseError::fail(format!("{rendered}: {err}")))?;
        prop_assert_eq!(&again, &e);
        prop_assert_eq!(again.to_string(), rendered);
        let first = e.eval(&mut Prop { state: 1 });
        let second = e.eval(&mut Prop { state: 1 });
        prop_assert_eq!(first, second, "evaluation is deterministic");
    }

    #[test]
    fn arbitrary_dates_formats_and_patterns_never_panic(
        a in prop_oneof![any::<String>(), "[0-9 :/TZ+.-]{0,24}", "[yMdHhmsfFtzK%\\\\'\" :./-]{0,16}"],
        b in prop_oneof![any::<String>(), "[yMdHhmsfFtzKg%\\\\'\" :./-]{0,16}", "[()\\[\\]?<>a-z\\\\*+$&`'{}0-9]{0,16}"],
        c in prop_oneof![any::<String>(), "[yMdHhmsfFtzKg%\\\\'\" :./-]{0,16}", "[$&`'{}_+0-9a-z]{0,12}"],
        styles in prop::sample::select(vec!["", "AllowWhiteSpaces", "AdjustToUniversal", "AssumeUniversal", "NoCurrentDateDefault", "7", "Bogus"]),
    ) {
        let (qa, qb, qc) = (quoted(&a), quoted(&b), quoted(&c));
        for text in [
            format!("FormatDateTime({qa}, {}, {qb}, {qc})", quoted(styles)),
            format!("CDate({qa})"),
            format!("NumFromDate({qa})"),
            format!("DateDiff(\"ww\", {qa}, {qb})"),
            format!("DateAdd({qc}, {qb}, {qa})"),
            format!("Replace({qa}, , {qb}, , {qc}, , )"),
            format!("Replace({qa}, , {qb}, {qc}, \"x\", , )"),
            format!("Replace({qa}, , {qb}, {qc}, , {qa}, )"),
            format!("Replace({qa}, {qb}, , , {qc}, , )"),
            format!("PCase({qa}, {qb})"),
            format!("Word({qa}, 2, {qb})"),
            format!("InStr({qa}, {qb}, 1, vbTextCompare)"),
            format!("NormalizeDiacritics({qa})"),
            format!("Split({qa}, {qb})"),
            format!("RandomString(12, 2, 2, 2, 2, {qa})"),
            format!("ToUpper({qa}, {qb})"),
            format!("CBool({qa} >= {qb})"),
        ] {
            if let Ok(e) = Expr::parse(&text) {
                let _ = e.eval(&mut Prop { state: 5 });
            }
        }
    }

    #[test]
    fn no_text_makes_parsing_or_evaluation_panic(
        text in prop_oneof![
            any::<String>(),
            "[A-Za-z\\[\\]\"(),=<>&\\\\ 0-9\n-]{0,120}",
            expression().prop_map(|t| t.chars().filter(|c| *c != ')').collect::<String>()),
        ]
    ) {
        if let Ok(e) = Expr::parse(&text) {
            let _ = e.eval(&mut Prop { state: 3 });
            prop_assert_eq!(Expr::parse(&e.to_string()).ok(), Some(e));
        }
    }
}
