//! Import of Microsoft Entra admin center "Download users" CSV exports (CTS-71).
//!
//! Two header rows are known and both load: the documented one (CTS-72: `objectId`,
//! `physicalDeliveryOfficeName`, `mobile`, the `authentication*` columns) and the 29-column one a
//! real 2021 export had (CTS-73: `id`, `officeLocation`, `mobilePhone`, six trailing columns such as
//! `creationType` and `createdDateTime`). Columns may come in any order and any letter case, and any
//! subset loads as long as it keeps `userPrincipalName`. The object id (`id`, `objectId`),
//! `createdDateTime` (`8/19/2021 1:25:31 PM`, UTC) and `directorySynced` are kept, so imported
//! users show the customer's own ids and times. Columns the model has no use for are read
//! and dropped; columns neither list knows are dropped too and named in
//! [`CsvImport::ignored_columns`].
//!
//! Values are taken as written, less surrounding whitespace; an empty cell is null. `accountEnabled`
//! is `True`/`False` in the 2021 capture (CTS-73) and `TRUE`/`FALSE` once opened and re-saved in a
//! spreadsheet, so any letter case and `1`/`0` are accepted. A B2B user's `#EXT#` UPN is kept as is:
//! the model marks such a user external and never syncs it (CTS-20).
//!
//! A row that cannot be used becomes one [`Diagnostic`] at the physical line and column of the bad
//! cell (a quoted cell may span lines), and the other rows still load. Only a problem with the file
//! as a whole (empty, not UTF-8, no `userPrincipalName` column, over a cap) is an `Err`.

use crate::diag::{did_you_mean, Diagnostic};
use mtosim_engine::directory::NewUser;
use mtosim_engine::directory::{Attr, UserType};
use std::collections::HashMap;

/// The most data rows one file may hold (one admin-center export covers about 500,000 users,
/// CTS-71; this leaves room for several merged exports).
pub const CSV_ROWS_MAX: usize = 2_000_000;
/// The largest file, in bytes, that [`parse`] accepts.
pub const CSV_BYTES_MAX: usize = 512 * 1024 * 1024;
/// The longest `userPrincipalName`, in characters (Entra: 64 before the `@`, 113 in all).
pub const UPN_CHARS_MAX: usize = mtosim_engine::limits::UPN_CHARS_MAX;
/// The most row problems one import keeps as diagnostics; the rest are counted
/// ([`CsvImport::problems_dropped`]), so a file of bad rows cannot flood the output.
pub const CSV_PROBLEMS_MAX: usize = 100;

/// What an import produced: the users, and the rows that could not be used.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvImport {
    /// One user per usable row, in file order.
    pub users: Vec<NewUser>,
    /// The object id and creation time of each of [`CsvImport::users`], when the file has them.
    pub identities: Vec<CsvIdentity>,
    /// One diagnostic per unusable row, in file order (the first [`CSV_PROBLEMS_MAX`]).
    pub problems: Vec<Diagnostic>,
    /// Unusable rows past the first [`CSV_PROBLEMS_MAX`], counted only.
    pub problems_dropped: usize,
    /// Data rows read (usable or not), not counting the header.
    pub rows: usize,
    /// Header names that neither CTS-72 nor CTS-73 lists, as written, in header order: their cells
    /// were not read.
    pub ignored_columns: Vec<String>,
}

/// What a row says of its user's identity: the `id` (`objectId`) and `createdDateTime` cells,
/// kept so that imported users show the customer's own ids and times.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CsvIdentity {
    /// The object id.
    pub id: Option<mtosim_engine::Guid>,
    /// `createdDateTime`.
    pub created: Option<mtosim_engine::SimTime>,
}

/// Parses `bytes` (the file named `file` in messages). Always returns every usable user plus one
/// Diagnostic per unusable row (line-numbered, with the column of the bad cell); a problem with the
/// file as a whole (no header, no userPrincipalName column, not UTF-8, too big) is Err.
pub fn parse(file: &str, bytes: &[u8]) -> Result<CsvImport, Diagnostic> {
    parse_capped(
        file,
        bytes,
        Caps {
            rows: CSV_ROWS_MAX,
            bytes: CSV_BYTES_MAX,
        },
    )
}

/// The caps [`parse`] enforces; tests use small ones.
#[derive(Clone, Copy, Debug)]
struct Caps {
    rows: usize,
    bytes: usize,
}

/// What a header name means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Upn,
    UserType,
    AccountEnabled,
    Attr(Attr),
    /// `id` (CTS-73) or `objectId` (CTS-72): the object id, kept.
    Id,
    /// `createdDateTime` (CTS-73), kept.
    Created,
    /// `directorySynced` (CTS-73): synchronized from on-premises, kept as `onPremisesSyncEnabled`.
    DirSynced,
    /// Listed by CTS-72 or CTS-73, not used by the model.
    Known,
    /// Listed by neither.
    Unknown,
}

/// Header names that carry a model attribute (CTS-72 and CTS-73 spellings).
const ATTR_COLUMNS: &[(&str, Attr)] = &[
    ("displayName", Attr::DisplayName),
    ("surname", Attr::Surname),
    ("givenName", Attr::GivenName),
    ("mail", Attr::Mail),
    ("jobTitle", Attr::JobTitle),
    ("department", Attr::Department),
    ("usageLocation", Attr::UsageLocation),
    ("streetAddress", Attr::StreetAddress),
    ("state", Attr::State),
    ("country", Attr::Country),
    ("city", Attr::City),
    ("postalCode", Attr::PostalCode),
    ("telephoneNumber", Attr::TelephoneNumber),
    ("companyName", Attr::CompanyName),
    ("physicalDeliveryOfficeName", Attr::OfficeLocation),
    ("officeLocation", Attr::OfficeLocation),
    ("mobile", Attr::MobilePhone),
    ("mobilePhone", Attr::MobilePhone),
];

/// Header names of CTS-72 or CTS-73 that the model does not use (`authentication*` too).
const KNOWN_UNUSED: &[&str] = &[
    "alternateEmailAddress",
    "ageGroup",
    "consentProvidedForMinor",
    "legalAgeGroupClassification",
    "creationType",
    "invitationState",
    "identityIssuer",
    "manager",
];

fn classify(name: &str) -> Col {
    let is = |s: &str| name.eq_ignore_ascii_case(s);
    if is("userPrincipalName") {
        Col::Upn
    } else if is("userType") {
        Col::UserType
    } else if is("accountEnabled") {
        Col::AccountEnabled
    } else if is("id") || is("objectId") {
        Col::Id
    } else if is("createdDateTime") {
        Col::Created
    } else if is("directorySynced") {
        Col::DirSynced
    } else if let Some((_, a)) = ATTR_COLUMNS.iter().find(|(n, _)| is(n)) {
        Col::Attr(*a)
    } else if let Some(a) = Attr::from_graph_name(name) {
        // any other Graph attribute the model stores (employeeId, mailNickname, ...) is kept
        Col::Attr(a)
    } else if KNOWN_UNUSED.iter().any(|n| is(n))
        || name
            .get(..14)
            .is_some_and(|p| p.eq_ignore_ascii_case("authentication"))
    {
        Col::Known
    } else {
        Col::Unknown
    }
}

fn parse_capped(file: &str, bytes: &[u8], caps: Caps) -> Result<CsvImport, Diagnostic> {
    if bytes.len() > caps.bytes {
        return Err(Diagnostic::file_level(
            file,
            format!(
                "the file is {} bytes, over the cap of {} bytes (CSV_BYTES_MAX)",
                bytes.len(),
                caps.bytes
            ),
        )
        .help(
            "download the users in parts, using the admin center's filters (CTS-71), and import each part",
        ));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Diagnostic::file_level(file, "the file is UTF-16, not UTF-8")
            .help("the admin center writes UTF-8; re-save the file as \"CSV UTF-8\""));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let lossy = String::from_utf8_lossy(bytes);
            let at = e.valid_up_to();
            return Err(
                Diagnostic::at(file, &lossy, at..at + 1, "the file is not valid UTF-8")
                    .help("the admin center writes UTF-8; re-save the file as \"CSV UTF-8\""),
            );
        }
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut lines = Lines::new(file, text);
    if !read(&mut rdr, &mut record, &mut lines)? {
        return Err(
            Diagnostic::file_level(file, "the file is empty: there is no header row")
                .help("a \"Download users\" export starts with a header row naming userPrincipalName"),
        );
    }
    let header_start = start_of(&record);
    let names: Vec<String> = record
        .iter()
        .map(|n| {
            n.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
                .to_string()
        })
        .collect();
    let cols: Vec<Col> = names.iter().map(|n| classify(n)).collect();
    let mut first_by_name: HashMap<String, usize> = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        if matches!(cols[i], Col::Known | Col::Unknown) {
            continue;
        }
        if let Some(first) = first_by_name.insert(name.to_ascii_lowercase(), i) {
            let at = cell_offsets(text, header_start).starts[i];
            return Err(lines
                .diag(
                    at,
                    format!(
                        "column \"{name}\" appears twice in the header (columns {} and {})",
                        first + 1,
                        i + 1
                    ),
                )
                .help("keep one of them"));
        }
    }
    let Some(upn_col) = cols.iter().position(|c| *c == Col::Upn) else {
        let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let near = did_you_mean("userprincipalname", lower.iter().map(String::as_str))
            .and_then(|n| lower.iter().position(|l| l == n));
        let at = near.map_or(header_start, |i| cell_offsets(text, header_start).starts[i]);
        let help = match near {
            Some(i) => format!("did you mean userPrincipalName, not \"{}\"?", names[i]),
            None => {
                "a \"Download users\" export's header names userPrincipalName (CTS-72, CTS-73)".to_string()
            }
        };
        return Err(lines
            .diag(at, "the header has no userPrincipalName column")
            .help(help));
    };
    let mut out = CsvImport {
        ignored_columns: names
            .iter()
            .zip(&cols)
            .filter(|(_, c)| **c == Col::Unknown)
            .map(|(n, _)| n.clone())
            .collect(),
        ..CsvImport::default()
    };
    let mut rows = Rows {
        text,
        names: &names,
        cols: &cols,
        upn_col,
        seen: HashMap::new(),
        ids: HashMap::new(),
    };
    let mut last_start = header_start;
    while read(&mut rdr, &mut record, &mut lines)? {
        out.rows += 1;
        let start = start_of(&record);
        last_start = start;
        if out.rows > caps.rows {
            return Err(lines
                .diag(start, format!("more than {} data rows (CSV_ROWS_MAX)", caps.rows))
                .help("download the users in parts, using the admin center's filters (CTS-71), and import each part"));
        }
        match rows.user(&record, start, &mut lines) {
            Ok((u, identity)) => {
                out.users.push(u);
                out.identities.push(identity);
            }
            Err(_) if out.problems.len() >= CSV_PROBLEMS_MAX => out.problems_dropped += 1,
            Err(d) => out.problems.push(d),
        }
    }
    // a quote that never closes swallows every later row into one cell: say where it opened
    let cells = cell_offsets(text, last_start);
    if let Some(i) = cells.unclosed {
        return Err(lines
            .diag(
                cells.starts[i],
                "this quoted cell is never closed: every line after it would be read as part of it",
            )
            .help("close the quote (a quote inside a quoted cell is written twice, \"\")"));
    }
    Ok(out)
}

/// Reads the next record; `csv` reports no errors on a `&str` read flexibly, but one is not a panic.
fn read(
    rdr: &mut csv::Reader<&[u8]>,
    record: &mut csv::StringRecord,
    lines: &mut Lines<'_>,
) -> Result<bool, Diagnostic> {
    rdr.read_record(record).map_err(|e| {
        let at = e
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        lines.diag(at, format!("unreadable CSV: {e}"))
    })
}

fn start_of(record: &csv::StringRecord) -> usize {
    record
        .position()
        .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX))
}

/// Per-row checks, and the UPNs seen so far.
struct Rows<'a> {
    text: &'a str,
    names: &'a [String],
    cols: &'a [Col],
    upn_col: usize,
    /// Lower-cased UPN → line of its row.
    seen: HashMap<String, usize>,
    /// Object id → line of its row.
    ids: HashMap<mtosim_engine::Guid, usize>,
}

impl Rows<'_> {
    /// The row's user, or the one diagnostic that says why there is none.
    fn user(
        &mut self,
        record: &csv::StringRecord,
        start: usize,
        lines: &mut Lines<'_>,
    ) -> Result<(NewUser, CsvIdentity), Diagnostic> {
        let text = self.text;
        let mut identity = CsvIdentity::default();
        let mut id_col = 0;
        let at = |i: usize| cell_offsets(text, start).starts.get(i).copied().unwrap_or(start);
        let want = self.cols.len();
        if record.len() != want {
            let cells = cell_offsets(text, start);
            if let Some(i) = cells.unclosed {
                let name = self.names.get(i).map_or("past the last column", String::as_str);
                return Err(lines
                    .diag(
                        cells.starts[i],
                        format!("the quoted cell in column {name} never closes"),
                    )
                    .help("close the quote; write a quote inside a quoted cell as \"\""));
            }
            let (pos, what) = if record.len() < want {
                (
                    cells.end,
                    format!("the row ends before column {}", self.names[record.len()]),
                )
            } else {
                (
                    cells.starts.get(want).copied().unwrap_or(cells.end),
                    "the row has a cell past the last column".to_string(),
                )
            };
            return Err(lines
                .diag(
                    pos,
                    format!(
                        "{what}: {} cells, but the header has {want} columns",
                        record.len()
                    ),
                )
                .help("give every row one cell per header column; quote a cell that holds a comma"));
        }
        let max = mtosim_engine::limits::TEXT_LEN_MAX;
        if let Some(i) = record.iter().position(|c| c.len() > max) {
            return Err(lines
                .diag(
                    at(i),
                    format!(
                        "the cell in column {} is {} bytes, over {max} (TEXT_LEN_MAX)",
                        self.names[i],
                        record[i].len()
                    ),
                )
                .help("Entra's user properties are short strings; check the quoting of this row"));
        }
        let upn_name = &self.names[self.upn_col];
        let upn = record[self.upn_col].trim();
        if let Some(why) = mtosim_engine::user::upn_problem(upn) {
            let message = if upn.is_empty() {
                format!("{upn_name} is empty")
            } else {
                format!("{upn_name} \"{upn}\" {why}")
            };
            return Err(lines.diag(at(self.upn_col), message).help(format!(
                "write it as alias@domain: one '@', no spaces, at most {UPN_CHARS_MAX} characters \
                 (a B2B user's is alias_domain#EXT#@tenant.onmicrosoft.com)"
            )));
        }
        let mut spec = NewUser {
            upn: upn.to_string(),
            attrs: Vec::new(),
            user_type: UserType::Member,
            account_enabled: true,
            extra: Vec::new(),
        };
        for (i, (col, cell)) in self.cols.iter().zip(record.iter()).enumerate() {
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            match col {
                Col::UserType => {
                    spec.user_type = UserType::parse(cell).ok_or_else(|| {
                        lines
                            .diag(
                                at(i),
                                format!("{} \"{cell}\" is neither Member nor Guest", self.names[i]),
                            )
                            .help("write Member or Guest (any case); an empty cell means Member")
                    })?;
                }
                Col::AccountEnabled => {
                    spec.account_enabled = parse_bool(cell).ok_or_else(|| {
                        lines
                            .diag(
                                at(i),
                                format!("{} \"{cell}\" is not True or False", self.names[i]),
                            )
                            .help("write True or False (any case) or 1 or 0; an empty cell means True")
                    })?;
                }
                Col::Attr(a) => {
                    if !spec.attrs.iter().any(|(b, _)| b == a) {
                        spec.attrs.push((*a, cell.to_string()));
                    }
                }
                Col::Id => {
                    id_col = i;
                    identity.id = Some(mtosim_engine::Guid::parse(cell).ok_or_else(|| {
                        lines
                            .diag(at(i), format!("{} \"{cell}\" is not a GUID", self.names[i]))
                            .help("write the object id as the export has it, e.g. 2e7cdcb3-f2fc-40d8-b84d-503e3e705cb4; an empty cell lets mtosim derive one")
                    })?);
                }
                Col::Created => {
                    identity.created = Some(mtosim_engine::SimTime::parse_portal(cell).map_err(|e| {
                        lines
                            .diag(at(i), format!("{}: {e}", self.names[i]))
                            .help("the admin center writes 8/19/2021 1:25:31 PM (UTC); an empty cell means the scenario's start")
                    })?);
                }
                Col::DirSynced => {
                    let v = parse_bool(cell).ok_or_else(|| {
                        lines
                            .diag(at(i), format!("{} \"{cell}\" is not True or False", self.names[i]))
                            .help("write True or False (any case); an empty cell means not synchronized from on-premises")
                    })?;
                    spec.extra.push((
                        mtosim_engine::extra::ExtraProp::DirSyncEnabled,
                        vec![v.to_string()],
                    ));
                }
                Col::Upn | Col::Known | Col::Unknown => {}
            }
        }
        let line = lines.line_of(start);
        if let Some(first) = self.seen.get(&upn.to_lowercase()) {
            return Err(lines
                .diag(
                    at(self.upn_col),
                    format!("{upn_name} \"{upn}\" is already on line {first} (UPNs ignore letter case)"),
                )
                .help("keep one row per user"));
        }
        if let Some(id) = identity.id {
            if let Some(first) = self.ids.get(&id) {
                return Err(lines
                    .diag(at(id_col), format!("id {id} is already on line {first}"))
                    .help("keep one row per user; each has its own object id"));
            }
            self.ids.insert(id, line);
        }
        self.seen.insert(upn.to_lowercase(), line);
        Ok((spec, identity))
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") || s == "1" {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") || s == "0" {
        Some(false)
    } else {
        None
    }
}

/// Where a record's cells start in the file.
struct Cells {
    /// Byte offset of each cell (its opening quote, if quoted).
    starts: Vec<usize>,
    /// Byte offset just past the last cell.
    end: usize,
    /// The cell whose quote never closes, if one does not.
    unclosed: Option<usize>,
}

/// Re-scans the raw record starting at byte `start` the way the `csv` crate reads it (RFC 4180
/// quoting, `""` inside quotes, CR, LF or CRLF ends a record), to find each cell's offset. Only
/// called for rows that have a problem.
fn cell_offsets(text: &str, start: usize) -> Cells {
    let b = text.as_bytes();
    let mut i = start.min(b.len());
    while i < b.len() && matches!(b[i], b'\r' | b'\n') {
        i += 1;
    }
    let mut starts = Vec::new();
    loop {
        starts.push(i);
        if i < b.len() && b[i] == b'"' {
            i += 1;
            loop {
                match b[i..].iter().position(|&c| c == b'"') {
                    None => {
                        let unclosed = Some(starts.len() - 1);
                        return Cells {
                            starts,
                            end: b.len(),
                            unclosed,
                        };
                    }
                    Some(p) => {
                        i += p + 1;
                        if b.get(i) == Some(&b'"') {
                            i += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
        }
        while i < b.len() && !matches!(b[i], b',' | b'\r' | b'\n') {
            i += 1;
        }
        if b.get(i) != Some(&b',') {
            return Cells {
                starts,
                end: i,
                unclosed: None,
            };
        }
        i += 1;
    }
}

/// Line numbers by byte offset, counted incrementally (offsets mostly grow), so a file with many
/// bad rows costs one pass, not one pass per diagnostic.
struct Lines<'a> {
    file: &'a str,
    text: &'a str,
    /// `line` is the 1-based line of byte offset `pos`.
    pos: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(file: &'a str, text: &'a str) -> Lines<'a> {
        Lines {
            file,
            text,
            pos: 0,
            line: 1,
        }
    }

    fn newlines(&self, r: std::ops::Range<usize>) -> usize {
        self.text.as_bytes()[r].iter().filter(|&&c| c == b'\n').count()
    }

    /// 1-based line of byte offset `at`.
    fn line_of(&mut self, at: usize) -> usize {
        let at = at.min(self.text.len());
        if at >= self.pos {
            self.line += self.newlines(self.pos..at);
        } else {
            self.line -= self.newlines(at..self.pos);
        }
        self.pos = at;
        self.line
    }

    /// The same diagnostic as `Diagnostic::at(file, text, at..at, message)`.
    fn diag(&mut self, at: usize, message: impl Into<String>) -> Diagnostic {
        let mut at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        let line = self.line_of(at);
        let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[at..].find('\n').map_or(self.text.len(), |i| at + i);
        let rel = at - line_start;
        let mut d = Diagnostic::at(self.file, &self.text[line_start..line_end], rel..rel, message);
        d.line = line;
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OBSERVED_HEADER: &str =
        "userPrincipalName,displayName,surname,mail,givenName,id,userType,jobTitle,\
        department,accountEnabled,usageLocation,streetAddress,state,country,officeLocation,city,postalCode,\
        telephoneNumber,mobilePhone,alternateEmailAddress,ageGroup,consentProvidedForMinor,\
        legalAgeGroupClassification,companyName,creationType,directorySynced,invitationState,identityIssuer,\
        createdDateTime";
    const DOCUMENTED_HEADER: &str = "userPrincipalName,displayName,surname,mail,givenName,objectId,userType,\
        jobTitle,department,accountEnabled,usageLocation,streetAddress,state,country,\
        physicalDeliveryOfficeName,city,postalCode,telephoneNumber,mobile,\
        authenticationAlternativePhoneNumber,authenticationEmail,alternateEmailAddress,ageGroup,\
        consentProvidedForMinor,legalAgeGroupClassification";
    const CONTOSO: &[u8] = include_bytes!("../../fixtures/csv/contoso-observed.csv");
    const FABRIKAM: &[u8] = include_bytes!("../../fixtures/csv/fabrikam-documented.csv");
    const MALFORMED: &[u8] = include_bytes!("../../fixtures/csv/malformed.csv");

    fn ok(text: &str) -> CsvImport {
        parse("t.csv", text.as_bytes()).unwrap()
    }

    fn attr(u: &NewUser, a: Attr) -> Option<&str> {
        u.attrs.iter().find(|(b, _)| *b == a).map(|(_, v)| v.as_str())
    }

    #[test]
    fn cts_73_id_created_date_time_and_directory_synced_are_kept() {
        let imp = parse("contoso.csv", CONTOSO).unwrap();
        assert_eq!(imp.identities.len(), imp.users.len());
        let first = imp.identities[0];
        assert_eq!(
            first.id.unwrap().to_string(),
            "a15b098b-ab71-4b9b-aabb-1e4588402dc7"
        );
        assert_eq!(first.created.unwrap().to_string(), "2019-05-27T02:10:06Z");
        let imp = ok("userPrincipalName,objectId,directorySynced,createdDateTime\n\
             a@contoso.com,2e7cdcb3-f2fc-40d8-b84d-503e3e705cb4,True,2021-08-19T13:25:31Z\n\
             b@contoso.com,,false,\n");
        assert_eq!(
            imp.identities[1],
            CsvIdentity::default(),
            "empty cells keep nothing"
        );
        let synced = |u: &NewUser| {
            u.extra
                .iter()
                .find(|(p, _)| *p == mtosim_engine::extra::ExtraProp::DirSyncEnabled)
                .map(|(_, v)| v[0].clone())
        };
        assert_eq!(synced(&imp.users[0]).as_deref(), Some("true"));
        assert_eq!(synced(&imp.users[1]).as_deref(), Some("false"));
        let bad = ok("userPrincipalName,id,createdDateTime,directorySynced\n\
             a@contoso.com,not-a-guid,,\n\
             b@contoso.com,,yesterday,\n\
             c@contoso.com,,,maybe\n\
             d@contoso.com,2e7cdcb3-f2fc-40d8-b84d-503e3e705cb4,,\n\
             e@contoso.com,2e7cdcb3-f2fc-40d8-b84d-503e3e705cb4,,\n");
        let msgs: Vec<&str> = bad.problems.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(bad.users.len(), 1, "{msgs:?}");
        assert!(
            msgs[0].contains("not a GUID") && msgs[1].contains("yesterday") && msgs[2].contains("maybe"),
            "{msgs:?}"
        );
        assert!(msgs[3].contains("is already on line 5"), "{msgs:?}");
        assert_eq!((bad.problems[0].line, bad.problems[0].column), (2, 15));
    }

    /// (users, disabled, guests, external).
    fn counts(imp: &CsvImport) -> (usize, usize, usize, usize) {
        let u = &imp.users;
        (
            u.len(),
            u.iter().filter(|u| !u.account_enabled).count(),
            u.iter().filter(|u| u.user_type == UserType::Guest).count(),
            u.iter().filter(|u| u.upn.contains("#EXT#")).count(),
        )
    }

    fn at(d: &Diagnostic) -> (usize, usize) {
        (d.line, d.column)
    }

    #[test]
    fn cts_73_observed_header_loads() {
        assert_eq!(OBSERVED_HEADER.split(',').count(), 29);
        assert!(CONTOSO.starts_with(b"\xEF\xBB\xBF"));
        let imp = parse("contoso-observed.csv", CONTOSO).unwrap();
        assert!(imp.problems.is_empty(), "{:?}", imp.problems);
        assert!(imp.ignored_columns.is_empty());
        assert_eq!(imp.rows, 300);
        assert_eq!(counts(&imp), (300, 15, 20, 12));
        let creator = &imp.users[1];
        assert_eq!(creator.upn, "zoe.berger_outlook.com#EXT#@contoso.onmicrosoft.com");
        assert_eq!(
            (creator.user_type, attr(creator, Attr::DisplayName)),
            (UserType::Member, Some("Zoë Berger"))
        );
        assert!(imp
            .users
            .iter()
            .any(|u| attr(u, Attr::StreetAddress) == Some("1 Microsoft Way, Building 92")));
        assert!(imp.users.iter().any(|u| attr(u, Attr::OfficeLocation).is_some()));
        assert!(imp.users.iter().any(|u| attr(u, Attr::MobilePhone).is_some()));
        let internal_guests = imp
            .users
            .iter()
            .filter(|u| u.user_type == UserType::Guest && !u.upn.contains("#EXT#"));
        assert_eq!(internal_guests.count(), 9);
        // The trailing CRLF of each row is not part of the last cell.
        assert!(imp
            .users
            .iter()
            .all(|u| u.attrs.iter().all(|(_, v)| !v.ends_with('\r'))));
    }

    #[test]
    fn cts_72_documented_header_loads_in_another_column_order() {
        assert!(!FABRIKAM.starts_with(b"\xEF\xBB\xBF"));
        let text = std::str::from_utf8(FABRIKAM).unwrap();
        let header = text.lines().next().unwrap();
        assert!(!header.starts_with("userPrincipalName"));
        let mut got: Vec<&str> = header.split(',').collect();
        let mut want: Vec<&str> = DOCUMENTED_HEADER.split(',').collect();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want);
        let imp = parse("fabrikam-documented.csv", FABRIKAM).unwrap();
        assert!(imp.problems.is_empty(), "{:?}", imp.problems);
        assert!(imp.ignored_columns.is_empty());
        assert_eq!(imp.rows, 200);
        assert_eq!(counts(&imp), (200, 10, 13, 8));
        let cts_member = &imp.users[1];
        assert_eq!(
            cts_member.upn,
            "emily.haddad_contoso.com#EXT#@fabrikam.onmicrosoft.com"
        );
        assert_eq!(cts_member.user_type, UserType::Member);
        assert!(imp.users.iter().any(|u| attr(u, Attr::OfficeLocation).is_some()));
        assert!(imp.users.iter().any(|u| attr(u, Attr::MobilePhone).is_some()));
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let plain = "userPrincipalName,accountEnabled\na@contoso.com,False\n";
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), plain.as_bytes()].concat();
        let a = parse("t.csv", plain.as_bytes()).unwrap();
        let b = parse("t.csv", &with_bom).unwrap();
        assert_eq!(a, b);
        assert_eq!(b.users[0].upn, "a@contoso.com");
        assert!(!b.users[0].account_enabled);
        assert!(b.ignored_columns.is_empty());
        // Columns still count from the start of the line after a BOM.
        let bad = [
            b"\xEF\xBB\xBF".as_slice(),
            b"userPrincipalName,accountEnabled\na@contoso.com,maybe\n",
        ]
        .concat();
        assert_eq!(at(&parse("t.csv", &bad).unwrap().problems[0]), (2, 15));
    }

    #[test]
    fn column_order_and_header_case_do_not_matter() {
        let a = ok("userPrincipalName,department,userType,accountEnabled\nx@contoso.com,Sales,Guest,FALSE\n");
        let b =
            ok("ACCOUNTENABLED, usertype ,Department,UserPrincipalName\nfalse,guest,Sales,x@contoso.com\n");
        assert_eq!(a.users, b.users);
        assert_eq!(a.users[0].user_type, UserType::Guest);
        assert_eq!(a.users[0].attrs, vec![(Attr::Department, "Sales".to_string())]);
    }

    #[test]
    fn a_subset_with_only_user_principal_name_loads_with_defaults() {
        let imp = ok("userPrincipalName\r\na@contoso.com\r\nb@contoso.com\r\n");
        assert_eq!(imp.rows, 2);
        let u = &imp.users[1];
        assert_eq!(
            (u.upn.as_str(), u.user_type, u.account_enabled),
            ("b@contoso.com", UserType::Member, true)
        );
        assert!(u.attrs.is_empty());
    }

    #[test]
    fn cell_values_empty_is_null_and_surrounding_whitespace_is_dropped() {
        let imp = ok("userPrincipalName,displayName,city,userType,accountEnabled\n  a@contoso.com , Ada  Lovelace ,  ,,\n");
        let u = &imp.users[0];
        assert_eq!(u.upn, "a@contoso.com");
        assert_eq!(u.attrs, vec![(Attr::DisplayName, "Ada  Lovelace".to_string())]);
        assert_eq!((u.user_type, u.account_enabled), (UserType::Member, true));
    }

    #[test]
    fn account_enabled_and_user_type_spellings() {
        let mut text = String::from("userPrincipalName,accountEnabled,userType\n");
        for (i, v) in ["True", "False", "true", "false", "TRUE", "FALSE", "1", "0", ""]
            .iter()
            .enumerate()
        {
            text.push_str(&format!(
                "u{i}@contoso.com,{v},{}\n",
                ["Member", "guest", "GUEST", ""][i % 4]
            ));
        }
        let imp = ok(&text);
        assert!(imp.problems.is_empty(), "{:?}", imp.problems);
        let enabled: Vec<bool> = imp.users.iter().map(|u| u.account_enabled).collect();
        assert_eq!(
            enabled,
            [true, false, true, false, true, false, true, false, true]
        );
        let guests: Vec<bool> = imp.users.iter().map(|u| u.user_type == UserType::Guest).collect();
        assert_eq!(
            guests,
            [false, true, true, false, false, true, true, false, false]
        );
    }

    #[test]
    fn office_and_mobile_columns_of_both_headers_map_to_one_attr() {
        let imp =
            ok("userPrincipalName,physicalDeliveryOfficeName,mobile\na@c.com,92/1234,+1 425 555 0100\n");
        let u = &imp.users[0];
        assert_eq!(attr(u, Attr::OfficeLocation), Some("92/1234"));
        assert_eq!(attr(u, Attr::MobilePhone), Some("+1 425 555 0100"));
        // Both spellings in one file: the first non-empty one is kept, once.
        let imp = ok("userPrincipalName,mobile,mobilePhone\na@c.com,,+1 206\nb@c.com,+1 425,+1 206\n");
        assert_eq!(
            imp.users[0].attrs,
            vec![(Attr::MobilePhone, "+1 206".to_string())]
        );
        assert_eq!(
            imp.users[1].attrs,
            vec![(Attr::MobilePhone, "+1 425".to_string())]
        );
    }

    #[test]
    fn known_columns_are_dropped_unknown_ones_listed_once_and_graph_ones_kept() {
        let imp = ok(
            "userPrincipalName,alternateEmailAddress,authenticationPhoneNumber,manager,employeeId,Favourite Colour\n\
             a@c.com,1,2,3,E1,blue\nb@c.com,4,5,6,E2,red\n",
        );
        assert_eq!(imp.ignored_columns, ["Favourite Colour"]);
        assert!(imp.problems.is_empty());
        assert_eq!(imp.users[0].attrs, vec![(Attr::EmployeeId, "E1".to_string())]);
    }

    #[test]
    fn cts_20_external_upns_are_kept_as_written() {
        let imp = ok("userPrincipalName,userType\nsomeone_outlook.com#EXT#@contoso.onmicrosoft.com,Guest\n\
             someone@outlook.com#EXT#@contoso.onmicrosoft.com,Guest\nother_x.com@contoso.onmicrosoft.com#EXT#,\n");
        assert_eq!(imp.users.len(), 1);
        assert_eq!(
            imp.users[0].upn,
            "someone_outlook.com#EXT#@contoso.onmicrosoft.com"
        );
        assert_eq!(imp.problems.len(), 2);
        assert!(
            imp.problems[0].message.contains("has 2 '@'"),
            "{}",
            imp.problems[0].message
        );
        assert!(
            imp.problems[1].message.contains("before #EXT#"),
            "{}",
            imp.problems[1].message
        );
    }

    #[test]
    fn row_problems_name_line_and_column() {
        let imp = parse("malformed.csv", MALFORMED).unwrap();
        assert_eq!(imp.rows, 14);
        assert_eq!(counts(&imp), (5, 1, 1, 1));
        let got: Vec<(usize, usize)> = imp.problems.iter().map(at).collect();
        assert_eq!(
            got,
            [
                (5, 1),
                (6, 1),
                (7, 1),
                (8, 1),
                (9, 48),
                (10, 43),
                (11, 99),
                (12, 1),
                (14, 1)
            ],
            "{:#?}",
            imp.problems
        );
        let says = |i: usize, words: &[&str]| {
            let d = &imp.problems[i];
            let all = format!("{} / {}", d.message, d.help.as_deref().unwrap_or(""));
            for w in words {
                assert!(all.contains(w), "problem {i}: {all:?} lacks {w:?}");
            }
        };
        says(0, &["userPrincipalName is empty", "alias@domain"]);
        says(
            1,
            &[
                "userPrincipalName \"adele.vance.contoso.com\" has 0 '@'",
                "one '@'",
            ],
        );
        says(
            2,
            &[
                "userPrincipalName \"lee gu@contoso.com\" contains a space",
                "no spaces",
            ],
        );
        says(
            3,
            &[
                "\"ALEX.WILBER@contoso.com\" is already on line 2",
                "one row per user",
            ],
        );
        says(
            4,
            &[
                "accountEnabled \"Yes\" is not True or False",
                "empty cell means True",
            ],
        );
        says(
            5,
            &[
                "userType \"Admin\" is neither Member nor Guest",
                "Member or Guest",
            ],
        );
        says(
            6,
            &["ends before column createdDateTime", "28 cells", "29 columns"],
        );
        says(7, &["is 120 characters long, over 113", "at most 113"]);
        says(
            8,
            &[
                "\"nestor@fabrikam.com#EXT#@contoso.onmicrosoft.com\" has 2 '@'",
                "#EXT#",
            ],
        );
        let shown = imp.problems[4].to_string();
        assert!(shown.contains("--> malformed.csv:9:48"), "{shown}");
        assert!(shown.contains(&format!("  | {}^", " ".repeat(47))), "{shown}");
        // The good rows, including the one with a two-line street address.
        let upns: Vec<&str> = imp.users.iter().map(|u| u.upn.as_str()).collect();
        assert_eq!(
            upns,
            [
                "alex.wilber@contoso.com",
                "diego.siciliani@contoso.com",
                "megan.bowen_outlook.com#EXT#@contoso.onmicrosoft.com",
                "v-lidia.holloway@contoso.com",
                "patti.fernandez@contoso.com"
            ]
        );
        assert_eq!(
            attr(&imp.users[1], Attr::StreetAddress),
            Some("1 Microsoft Way\nBuilding 92")
        );
        assert_eq!(
            attr(&imp.users[4], Attr::JobTitle),
            Some("Director, Sales Operations")
        );
    }

    #[test]
    fn each_row_problem_points_at_its_own_cell() {
        let h = "displayName,userPrincipalName,userType,accountEnabled\n";
        let one = |row: &str| {
            let imp = ok(&format!("{h}{row}\n"));
            assert!(imp.users.is_empty(), "{row}");
            assert_eq!(imp.problems.len(), 1, "{row}");
            at(&imp.problems[0])
        };
        assert_eq!(one("Ann,,Member,True"), (2, 5));
        assert_eq!(one("Ann,  ,Member,True"), (2, 5));
        assert_eq!(one("Ann,ann,Member,True"), (2, 5));
        assert_eq!(one("Ann,a@b@c.com,Member,True"), (2, 5));
        assert_eq!(one("Ann,@c.com,Member,True"), (2, 5));
        assert_eq!(one("Ann,\"ann @c.com\",Member,True"), (2, 5));
        assert_eq!(one(&format!("Ann,{}@c.com,Member,True", "a".repeat(108))), (2, 5));
        assert_eq!(one("Ann,a@c.com,Owner,True"), (2, 13));
        assert_eq!(one("\"Ann, A\",a@c.com,Member,yes"), (2, 25));
        assert_eq!(one("Ann,a@c.com,Member"), (2, 19));
        assert_eq!(one("Ann,a@c.com,Member,True,extra"), (2, 25));
        // an unclosed quote is a problem with the file, not a row (later rows would vanish)
        let d = parse("t.csv", format!("{h}Ann,a@c.com,\"Member,True\n").as_bytes()).unwrap_err();
        assert_eq!(at(&d), (2, 13));
        // 113 characters is still fine.
        assert_eq!(
            ok(&format!("{h}Ann,{}@c.com,,\n", "a".repeat(107))).users.len(),
            1
        );
        // The duplicate names the first row's line; only the first row is kept.
        let imp = ok(&format!("{h}A,a@c.com,,\nB,b@c.com,,\nC,A@C.COM,,\n"));
        assert_eq!(imp.users.len(), 2);
        assert_eq!(at(&imp.problems[0]), (4, 3));
        assert!(imp.problems[0].message.contains("already on line 2"));
        // A rejected row does not reserve its UPN.
        let imp = ok(&format!("{h}A,a@c.com,Owner,\nB,a@c.com,,\n"));
        assert_eq!((imp.users.len(), imp.problems.len()), (1, 1));
    }

    #[test]
    fn multi_line_quoted_cell_keeps_later_line_numbers() {
        let text = "userPrincipalName,streetAddress,accountEnabled\r\n\
                    a@c.com,\"1 Microsoft Way\r\nBuilding 92\r\nRedmond\",True\r\n\
                    b@c.com,\"x\",nope\r\n\
                    c@c.com,\"Line one\nline \"\"two\"\"\",maybe\r\n";
        let imp = ok(text);
        assert_eq!(imp.rows, 3);
        assert_eq!(imp.users.len(), 1);
        assert_eq!(
            attr(&imp.users[0], Attr::StreetAddress),
            Some("1 Microsoft Way\r\nBuilding 92\r\nRedmond")
        );
        assert_eq!(at(&imp.problems[0]), (5, 13));
        assert_eq!(imp.problems[0].source_line, "b@c.com,\"x\",nope");
        // A bad cell after a line break inside its own row is shown on its physical line.
        assert_eq!(at(&imp.problems[1]), (7, 15));
        assert_eq!(imp.problems[1].source_line, "line \"\"two\"\"\",maybe");
    }

    #[test]
    fn diagnostics_match_diag_at() {
        let text = "userPrincipalName,displayName,accountEnabled\nz@c.com,Zoë,x\n\nb@c.com,B,y\n";
        let imp = ok(text);
        let want = |off: usize| Diagnostic::at("t.csv", text, off..off, "m");
        for (d, off) in imp
            .problems
            .iter()
            .zip([text.find(",x").unwrap() + 1, text.find(",y").unwrap() + 1])
        {
            let w = want(off);
            assert_eq!(
                (d.line, d.column, &d.source_line),
                (w.line, w.column, &w.source_line)
            );
        }
        // Blank lines are skipped, not rows.
        assert_eq!(imp.rows, 2);
    }

    #[test]
    fn caps_are_enforced_by_name() {
        let text = "userPrincipalName\na@c.com\nb@c.com\nc@c.com\n";
        let caps = |rows, bytes| parse_capped("t.csv", text.as_bytes(), Caps { rows, bytes });
        assert_eq!(caps(3, text.len()).unwrap().users.len(), 3);
        let e = caps(2, text.len()).unwrap_err();
        assert!(
            e.message.contains("more than 2 data rows (CSV_ROWS_MAX)"),
            "{}",
            e.message
        );
        assert_eq!((e.line, e.column), (4, 1));
        let e = caps(3, text.len() - 1).unwrap_err();
        assert!(e.message.contains("CSV_BYTES_MAX"), "{}", e.message);
        assert_eq!(CSV_ROWS_MAX, 2_000_000);
        assert_eq!(CSV_BYTES_MAX, 512 * 1024 * 1024);
    }

    #[test]
    fn an_unclosed_quote_is_an_error_where_it_opens_not_a_swallowed_file() {
        let text = "userPrincipalName,displayName\na@b.com,\"Ann\nb@b.com,Bob\nc@b.com,Cy\n";
        let d = parse("u.csv", text.as_bytes()).unwrap_err();
        assert_eq!(at(&d), (2, 9), "{d}");
        assert!(d.message.contains("never closed"), "{d}");
    }

    #[test]
    fn row_problems_are_capped_and_counted() {
        let mut text = String::from("userPrincipalName\n");
        for _ in 0..(CSV_PROBLEMS_MAX + 50) {
            text.push_str("not-a-upn\n");
        }
        let imp = parse("u.csv", text.as_bytes()).unwrap();
        assert_eq!((imp.problems.len(), imp.problems_dropped), (CSV_PROBLEMS_MAX, 50));
    }

    #[test]
    fn a_cell_over_text_len_max_is_a_row_problem() {
        let big = "x".repeat(mtosim_engine::limits::TEXT_LEN_MAX + 1);
        let text = format!("userPrincipalName,displayName\na@b.com,{big}\n");
        let imp = parse("u.csv", text.as_bytes()).unwrap();
        assert_eq!(imp.users.len(), 0);
        assert!(imp.problems[0].message.contains("TEXT_LEN_MAX"));
    }

    #[test]
    fn empty_file_and_header_only_file() {
        for empty in ["", "\u{feff}", "\n\n"] {
            let e = parse("t.csv", empty.as_bytes()).unwrap_err();
            assert!(e.message.contains("no header row"), "{empty:?}: {}", e.message);
        }
        let imp = ok(OBSERVED_HEADER);
        assert_eq!((imp.rows, imp.users.len(), imp.problems.len()), (0, 0, 0));
        let imp = ok(&format!("\u{feff}{DOCUMENTED_HEADER}\r\n"));
        assert_eq!((imp.rows, imp.users.len(), imp.problems.len()), (0, 0, 0));
    }

    #[test]
    fn header_without_user_principal_name_is_a_file_level_error() {
        let e = parse("t.csv", b"displayName,userPrincipleName\nA,a@c.com\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 13));
        assert!(e.message.contains("no userPrincipalName column"));
        assert!(e.help.unwrap().contains("\"userPrincipleName\""));
        let e = parse("t.csv", b"displayName,mail\nA,a@c.com\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        let e = parse("t.csv", b"userPrincipalName,UserPrincipalName\na@c.com,b@c.com\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 19));
        assert!(e.message.contains("appears twice"));
    }

    #[test]
    fn not_utf8_is_a_file_level_error() {
        let e = parse("t.csv", b"userPrincipalName,city\na@c.com,M\xfcnchen\n").unwrap_err();
        assert!(e.message.contains("not valid UTF-8"));
        assert_eq!((e.line, e.column), (2, 10));
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("upn".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert!(parse("t.csv", &utf16).unwrap_err().message.contains("UTF-16"));
    }
}
