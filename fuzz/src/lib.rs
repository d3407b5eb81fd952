//! What the fuzz targets share: a small directory whose users exercise every kind of property
//! a membership rule or scoping filter reads, an expression [`Context`] with a few attributes,
//! and the loader's handling of a scenario file's bytes.

use mtosim_engine::directory::{Attr, Directory, NewUser, SourceUser, UserType};
use mtosim_engine::expr::{Context, Value};
use mtosim_engine::extra::ExtraProp;
use mtosim_engine::strings::Interner;
use mtosim_engine::UserIdx;
use std::sync::LazyLock;

/// A directory of a few users (as the tests at the end of `engine/src/membership.rs` build
/// one), with its interner.
pub struct SmallDirectory {
    /// The directory: users 0..[`SmallDirectory::users`], two groups, a manager chain.
    pub dir: Directory,
    /// The strings its users' attributes are interned in.
    pub strings: Interner,
}

/// Times `system.now` is evaluated at (seconds since the epoch): 0, 2024-06-01 and a far
/// future, so that date comparisons go both ways.
pub const NOWS: [i64; 3] = [0, 1_717_200_000, 4_102_444_800];

impl SmallDirectory {
    /// How many users the directory holds.
    pub fn users(&self) -> u32 {
        self.dir.users().len() as u32
    }

    /// User `i` seen through [`mtosim_engine::membership::UserView`] at time `now`.
    pub fn view(&self, i: u32, now: i64) -> SourceUser<'_> {
        let mut v = SourceUser::new(&self.dir, UserIdx(i), &self.strings);
        v.now = now;
        v
    }
}

fn build_directory() -> SmallDirectory {
    let mut strings = Interner::default();
    let mut dir = Directory::default();
    dir.set_identity(7, "contoso");
    let mut add = |upn: &str,
                   user_type: UserType,
                   account_enabled: bool,
                   attrs: &[(Attr, &str)],
                   extra: Vec<(ExtraProp, Vec<String>)>| {
        let u = NewUser {
            upn: upn.into(),
            attrs: attrs.iter().map(|(a, v)| (*a, v.to_string())).collect(),
            user_type,
            account_enabled,
            extra,
        };
        dir.add_user(u.build(&mut strings))
            .expect("the fuzz directory's users are valid")
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let boss = add("boss@contoso.com", UserType::Member, true, &[], vec![]);
    let ann = add(
        "ann@contoso.com",
        UserType::Member,
        true,
        &[
            (Attr::GivenName, "Ann"),
            (Attr::Surname, "Lee"),
            (Attr::DisplayName, "Ann Lee"),
            (Attr::Mail, "ann@contoso.com"),
            (Attr::Department, "Sales"),
            (Attr::JobTitle, "Manager"),
            (Attr::Country, "US"),
            (Attr::City, "Oslo"),
            (Attr::OfficeLocation, "B40"),
            (Attr::EmployeeId, "1234"),
            (Attr::MobilePhone, "+1 555 0100"),
        ],
        vec![
            (
                ExtraProp::OtherMails,
                s(&["ann@fabrikam.com", "ann@tailspin.com"]),
            ),
            (
                ExtraProp::ProxyAddresses,
                s(&["SMTP:ann@contoso.com", "smtp:ann.lee@contoso.com"]),
            ),
            (ExtraProp::DirSyncEnabled, s(&["true"])),
            (ExtraProp::EmployeeHireDate, s(&["2024-06-10T00:00:00Z"])),
            (ExtraProp::ExtensionAttribute(1), s(&["42"])),
            (
                ExtraProp::Extension("extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber".into()),
                s(&["7"]),
            ),
        ],
    );
    let bob = add(
        "bob@contoso.com",
        UserType::Member,
        false,
        &[
            (Attr::Department, "sales"),
            (Attr::Country, "NO"),
            (Attr::EmployeeId, "999"),
        ],
        vec![(ExtraProp::DirSyncEnabled, s(&["false"]))],
    );
    let guest = add(
        "guest_fabrikam.com#EXT#@contoso.onmicrosoft.com",
        UserType::Guest,
        true,
        &[(Attr::Mail, "guest@fabrikam.com"), (Attr::Department, "")],
        vec![(ExtraProp::EmployeeHireDate, s(&["1999-12-31T23:59:59Z"]))],
    );
    let _dee = add(
        "Dee.Ünal@contoso.com",
        UserType::Member,
        true,
        &[
            (Attr::GivenName, "Dée"),
            (Attr::Department, "Engineering"),
            (Attr::JobTitle, "Intern"),
            (Attr::Country, "DE"),
        ],
        vec![],
    );
    dir.set_manager(ann, Some(boss));
    dir.set_manager(bob, Some(ann));
    dir.add_group("Others", vec![boss, guest]).expect("a valid group");
    dir.add_group("Sales", vec![ann, bob]).expect("a valid group");
    SmallDirectory { dir, strings }
}

/// The directory every execution evaluates against, built once.
pub static DIRECTORY: LazyLock<SmallDirectory> = LazyLock::new(build_directory);

/// An expression context with a few attributes (single- and multi-valued, empty, numeric, a
/// date), a fixed clock and a deterministic random stream.
pub struct ExprCtx {
    state: u64,
}

impl ExprCtx {
    /// A context whose random stream starts from `seed`.
    pub fn new(seed: u64) -> ExprCtx {
        ExprCtx { state: seed }
    }
}

impl Context for ExprCtx {
    fn attribute(&self, name: &str) -> Option<Value> {
        let one = |s: &str| Some(Value::Str(s.into()));
        let many = |v: &[&str]| Some(Value::Multi(v.iter().map(|s| s.to_string()).collect()));
        match name {
            "givenName" => one("Zoë"),
            "surname" => one("Doe"),
            "displayName" => one("Zoë Doe (Sales)"),
            "mail" => one("zoe.doe@contoso.com"),
            "userPrincipalName" => one("zoe.doe@contoso.com"),
            "mailNickname" => one("zoe.doe"),
            "department" => one("Sales"),
            "country" => one("US"),
            "city" => one(""),
            "employeeId" => one("1234"),
            "extensionAttribute1" => one("0x1F"),
            "accountEnabled" => one("True"),
            "netId" => one("10037FFE8A0B1C2D"),
            "createdDateTime" => one("2021-08-24T15:33:38Z"),
            "employeeHireDate" => one("8/25/2021 5:41:18 PM"),
            "proxyAddresses" => many(&["SMTP:zoe@contoso.com", "smtp:zoe.doe@contoso.com"]),
            "otherMails" => many(&[]),
            "appRoleAssignments" => many(&["Reader", "Writer", "Reader"]),
            _ => None,
        }
    }

    fn now(&self) -> i64 {
        1_625_240_018 // 2021-07-02T15:33:38Z
    }

    fn random(&mut self) -> u64 {
        // SplitMix64: deterministic, so a crash reproduces.
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn exists(&self, value: &str) -> bool {
        // some candidates are taken, so that SelectUniqueValue goes on to its next rule
        value.starts_with('z') || value.contains("taken")
    }
}

/// A scenario file's bytes as `mtosim_scenario::load::read_source` takes them: UTF-8 with a
/// byte-order mark dropped, or the diagnostic it refuses other bytes with (built the same way,
/// at the first invalid byte of the lossily decoded text).
pub fn scenario_text<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, mtosim_scenario::diag::Diagnostic> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.strip_prefix('\u{feff}').unwrap_or(text)),
        Err(e) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let at = e.valid_up_to();
            Err(mtosim_scenario::diag::Diagnostic::at(
                file,
                &text,
                at..at,
                "the file is not valid UTF-8 here",
            ))
        }
    }
}
