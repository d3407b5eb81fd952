//! The `--out` layout: every file of one run's views, in a stable order. Each tenant's folder
//! holds its Graph JSON (through `mtosim-graph`), `users.csv` in the "Download users" format
//! and, when recorded, `provisioning.jsonl`; a source tenant's folder also holds its
//! cross-tenant synchronization configurations (`servicePrincipals.json`, and per service
//! principal `servicePrincipals/{id}/` its `jobs.json`, `schema.json`, `appRoleAssignedTo.json`
//! and, for Automatic ones, the `secrets.json` body that saved its credentials); the top level holds `manifest.json`,
//! `events.jsonl` and `topology.dot` (petgraph). Each file is rendered when it is written, one
//! object at a time, into a writer the caller gives ([`export`], [`ViewFile::write_to`]), so an
//! export of a million accounts streams; writing the files is the CLI's job.

use mtosim_engine::directory::Attr;
use mtosim_engine::view::{UserObject, UserOrigin};
use mtosim_engine::{ConfigIdx, SimTime, TenantIdx, World};
use mtosim_graph as graph;
use mtosim_graph::sync_objects;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The header of the "Download users" CSV as observed in a real export (CTS-73).
pub const DOWNLOAD_USERS_HEADER: &[&str] = &[
    "userPrincipalName",
    "displayName",
    "surname",
    "mail",
    "givenName",
    "id",
    "userType",
    "jobTitle",
    "department",
    "accountEnabled",
    "usageLocation",
    "streetAddress",
    "state",
    "country",
    "officeLocation",
    "city",
    "postalCode",
    "telephoneNumber",
    "mobilePhone",
    "alternateEmailAddress",
    "ageGroup",
    "consentProvidedForMinor",
    "legalAgeGroupClassification",
    "companyName",
    "creationType",
    "directorySynced",
    "invitationState",
    "identityIssuer",
    "createdDateTime",
];

/// Neutralises a CSV cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, and
/// the tab and carriage return that some spreadsheets also honour) by prefixing a quote.
pub fn csv_safe(cell: &str) -> String {
    csv_cell(cell).into_owned()
}

/// [`csv_safe`], borrowing the cell when it needs no quote.
fn csv_cell(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// `8/19/2021 1:25:31 PM`, the portal's (US locale) format seen in CTS-73.
fn portal_time(t: SimTime) -> String {
    let (y, mo, d, h, mi, s) = t.civil();
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{mo}/{d}/{y} {h12}:{mi:02}:{s:02} {ampm}")
}

/// Tenant `t`'s users as the Entra admin center's "Download users" CSV (CTS-73's header), with
/// formula cells neutralised.
pub fn users_csv(world: &World, t: TenantIdx) -> String {
    in_memory(|w| write_users_csv(world, t, w))
}

/// [`users_csv`] written to `w` one row at a time.
pub fn write_users_csv<W: Write + ?Sized>(world: &World, t: TenantIdx, w: &mut W) -> io::Result<()> {
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(64 * 1024)
        .from_writer(w);
    csv.write_record(DOWNLOAD_USERS_HEADER).map_err(csv_error)?;
    let domain = world.tenant(t).spec.initial_domain.as_str();
    for r in world.view(t).users() {
        let (creation, state, issuer) = match r.origin {
            UserOrigin::Internal => ("", "", domain),
            UserOrigin::ImportedExternal => ("Invitation", "Accepted", "ExternalAzureAD"),
            UserOrigin::Account {
                home,
                pending_acceptance,
            } => (
                "Invitation",
                if pending_acceptance {
                    "PendingAcceptance"
                } else {
                    "Accepted"
                },
                world.tenant(home).spec.initial_domain.as_str(),
            ),
        };
        let id = r.id.to_string();
        let created = portal_time(r.created);
        let a = |x: Attr| attr(&r, x);
        let record: [&str; 29] = [
            &r.upn,
            a(Attr::DisplayName),
            a(Attr::Surname),
            a(Attr::Mail),
            a(Attr::GivenName),
            &id,
            r.user_type.as_str(),
            a(Attr::JobTitle),
            a(Attr::Department),
            if r.account_enabled { "True" } else { "False" },
            a(Attr::UsageLocation),
            a(Attr::StreetAddress),
            a(Attr::State),
            a(Attr::Country),
            a(Attr::OfficeLocation),
            a(Attr::City),
            a(Attr::PostalCode),
            a(Attr::TelephoneNumber),
            a(Attr::MobilePhone),
            "",
            "",
            "",
            "",
            a(Attr::CompanyName),
            creation,
            "",
            state,
            issuer,
            &created,
        ];
        for cell in record {
            csv.write_field(csv_cell(cell).as_bytes()).map_err(csv_error)?;
        }
        csv.write_record(None::<&[u8]>).map_err(csv_error)?;
    }
    csv.flush()
}

/// The value of `x` on `r`, empty when it has none.
fn attr<'w>(r: &UserObject<'w>, x: Attr) -> &'w str {
    r.attr(x).unwrap_or("")
}

/// A CSV writer's error as the I/O error it wraps (writing rows of strings fails no other way).
fn csv_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// What `write` writes, in memory.
fn in_memory(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
    let mut out = Vec::new();
    write(&mut out).expect("writing to memory");
    String::from_utf8(out).expect("every view is UTF-8")
}

/// The tenants and their sync configurations as a Graphviz digraph (built with petgraph):
/// owners as double octagons, members as boxes, pending tenants dashed, tenants outside any
/// MTO grey; one edge per live configuration, labelled with its name and account count.
pub fn topology_dot(world: &World) -> String {
    in_memory(|w| write_topology_dot(world, w))
}

/// [`topology_dot`] written to `w` (its size follows the tenants and configurations, not the
/// users).
pub fn write_topology_dot<W: Write + ?Sized>(world: &World, w: &mut W) -> io::Result<()> {
    use petgraph::dot::{Config, Dot};
    use petgraph::graph::Graph;
    let mut g: Graph<(String, String), (String, String)> = Graph::new();
    let mut nodes = Vec::new();
    for (i, ten) in world.tenants().iter().enumerate() {
        let ti = TenantIdx(i as u16);
        let (shape, style, what) = match world.mto_view(ti).mto {
            Some(m) => {
                let e = world.mtos()[m.ix()].entry(ti).expect("listed");
                let shape = if e.role == mtosim_engine::mto::Role::Owner {
                    "doubleoctagon"
                } else {
                    "box"
                };
                (
                    shape,
                    "solid",
                    format!("{} ({})", e.role.as_str(), e.state.as_str()),
                )
            }
            None if world.listed_mto(ti).is_some() => ("box", "dashed", "pending".to_string()),
            None => ("box", "filled", "not in an MTO".to_string()),
        };
        let label = format!("{}\\n{}", dot_escape(&ten.spec.display_name), what);
        let attrs = format!(
            "label=\"{label}\" shape={shape} style={style}{}",
            if style == "filled" {
                " fillcolor=lightgrey"
            } else {
                ""
            }
        );
        nodes.push(g.add_node((ten.name().to_string(), attrs)));
    }
    for c in world.configs().iter().filter(|c| !c.deleted) {
        let n = world
            .tenant(c.target)
            .dir
            .externals()
            .iter()
            .filter(|a| a.source_tenant == c.source && !a.is_soft_deleted() && !a.is_purged())
            .filter(|a| {
                world
                    .configs()
                    .get(a.config.ix())
                    .is_some_and(|x| x.name == c.name && x.source == c.source)
            })
            .count();
        let label = format!(
            "{}\\n{} account{} ({})",
            dot_escape(&c.name),
            n,
            if n == 1 { "" } else { "s" },
            c.job.status.as_str()
        );
        let style = if c.job.scheduled { "solid" } else { "dashed" };
        g.add_edge(
            nodes[c.source.ix()],
            nodes[c.target.ix()],
            (c.name.clone(), format!("label=\"{label}\" style={style}")),
        );
    }
    let edge_attrs = |_, e: petgraph::graph::EdgeReference<'_, (String, String)>| e.weight().1.clone();
    let node_attrs = |_, n: (petgraph::graph::NodeIndex, &(String, String))| n.1 .1.clone();
    let dot = Dot::with_attr_getters(
        &g,
        &[Config::EdgeNoLabel, Config::NodeNoLabel],
        &edge_attrs,
        &node_attrs,
    );
    write!(w, "{dot:?}")
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// What one file of the export holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Content {
    Organization(TenantIdx),
    Mto(TenantIdx),
    Tenants(TenantIdx),
    JoinRequest(TenantIdx),
    PartnerTemplate(TenantIdx),
    IdentityTemplate(TenantIdx),
    Partners(TenantIdx),
    DefaultPolicy(TenantIdx),
    Provisioning(TenantIdx),
    UsersCsv(TenantIdx),
    UsersJson(TenantIdx),
    GroupsJson(TenantIdx),
    ServicePrincipals(TenantIdx),
    Jobs(TenantIdx, ConfigIdx),
    Schema(TenantIdx, ConfigIdx),
    Assignments(TenantIdx, ConfigIdx),
    Secrets(ConfigIdx),
    Manifest,
    Events,
    Topology,
}

/// One file of the `--out` export: where it goes below the export's directory, and what writes
/// its bytes, from the world's views, when asked. Nothing is rendered until
/// [`ViewFile::write_to`], and then one object (user, record, event) at a time, so an export
/// of any size streams through the writer it is given.
pub struct ViewFile<'w> {
    world: &'w World,
    path: PathBuf,
    content: Content,
}

impl ViewFile<'_> {
    /// The file's path, relative to the export's directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the file's bytes to `w`. Give it a buffered writer of a concrete type: the JSON
    /// is written in many small pieces.
    pub fn write_to<W: Write + ?Sized>(&self, w: &mut W) -> io::Result<()> {
        let world = self.world;
        fn pretty<W: Write + ?Sized>(w: &mut W, v: &Value) -> io::Result<()> {
            serde_json::to_writer_pretty(&mut *w, v)?;
            w.write_all(b"\n")
        }
        match self.content {
            Content::Organization(t) => pretty(w, &graph::organization(world, t)),
            Content::Mto(t) => pretty(w, &graph::multi_tenant_organization(world, t)),
            Content::Tenants(t) => pretty(w, &graph::tenants(world, t)),
            Content::JoinRequest(t) => pretty(w, &graph::join_request(world, t)),
            Content::PartnerTemplate(t) => pretty(w, &graph::partner_template(world, t)),
            Content::IdentityTemplate(t) => pretty(w, &graph::identity_template(world, t)),
            Content::Partners(t) => pretty(w, &graph::partners(world, t)),
            Content::DefaultPolicy(t) => pretty(w, &graph::request_policy::default_configuration(world, t)),
            Content::Provisioning(t) => graph::write_provisioning_jsonl(world, t, w),
            Content::UsersCsv(t) => write_users_csv(world, t, w),
            Content::UsersJson(t) => graph::write_users_json(world, t, w),
            Content::GroupsJson(t) => graph::write_groups_json(world, t, w),
            Content::ServicePrincipals(t) => pretty(w, &sync_objects::service_principals(world, t)),
            Content::Jobs(t, c) => pretty(w, &sync_objects::jobs(world, t, c)),
            Content::Schema(t, c) => pretty(w, &sync_objects::schema(world, t, c)),
            Content::Assignments(t, c) => pretty(w, &sync_objects::assignments(world, t, c)),
            Content::Secrets(c) => match sync_objects::secrets(world, c) {
                Some(v) => pretty(w, &v),
                None => Ok(()),
            },
            Content::Manifest => pretty(w, &manifest(world)),
            Content::Events => crate::jsonl::write_events_jsonl(world, w),
            Content::Topology => write_topology_dot(world, w),
        }
    }

    /// The file's bytes, in memory (for tests and small exports).
    pub fn contents(&self) -> String {
        in_memory(|w| self.write_to(w))
    }
}

/// Every file of the export, in a stable order, each written when asked
/// ([`ViewFile::write_to`]). Each tenant's folder holds its Graph JSON, `provisioning.jsonl`
/// when the provisioning log is recorded, `users.csv`, `users.json` and `groups.json`; the top level holds
/// `manifest.json`, `events.jsonl` and `topology.dot`.
pub fn export(world: &World) -> Vec<ViewFile<'_>> {
    let mut out = Vec::new();
    let mut file = |path: PathBuf, content| out.push(ViewFile { world, path, content });
    for i in 0..world.tenants().len() {
        let t = TenantIdx(i as u16);
        let dir = PathBuf::from(world.name(t));
        for (name, content) in [
            ("organization.json", Content::Organization(t)),
            ("multiTenantOrganization.json", Content::Mto(t)),
            ("tenants.json", Content::Tenants(t)),
            ("joinRequest.json", Content::JoinRequest(t)),
            (
                "multiTenantOrganizationPartnerConfiguration.json",
                Content::PartnerTemplate(t),
            ),
            (
                "multiTenantOrganizationIdentitySynchronization.json",
                Content::IdentityTemplate(t),
            ),
            ("partners.json", Content::Partners(t)),
            ("crossTenantAccessPolicyDefault.json", Content::DefaultPolicy(t)),
        ] {
            file(dir.join(name), content);
        }
        if world.log_provisioning() {
            file(dir.join("provisioning.jsonl"), Content::Provisioning(t));
        }
        file(dir.join("users.csv"), Content::UsersCsv(t));
        file(dir.join("users.json"), Content::UsersJson(t));
        file(dir.join("groups.json"), Content::GroupsJson(t));
        file(dir.join("servicePrincipals.json"), Content::ServicePrincipals(t));
        for (c, name) in sync_objects::configs(world, t) {
            let sp = dir
                .join("servicePrincipals")
                .join(graph::request_sync::sp_id(world, t, name).to_string());
            file(sp.join("jobs.json"), Content::Jobs(t, c));
            file(sp.join("schema.json"), Content::Schema(t, c));
            file(sp.join("appRoleAssignedTo.json"), Content::Assignments(t, c));
            if world.config(c).automatic {
                file(sp.join("secrets.json"), Content::Secrets(c));
            }
        }
    }
    file(PathBuf::from("manifest.json"), Content::Manifest);
    file(PathBuf::from("events.jsonl"), Content::Events);
    file(PathBuf::from("topology.dot"), Content::Topology);
    out
}

/// Every file of the export, as (relative path, contents), in a stable order: [`export`]
/// rendered in memory, for tests and small worlds (the CLI streams [`export`] instead).
pub fn files(world: &World) -> Vec<(PathBuf, String)> {
    export(world)
        .iter()
        .map(|f| (f.path.clone(), f.contents()))
        .collect()
}

/// `manifest.json`: the schema version, the generator, the rule set, the seed, the simulated
/// time, the tenants and every file of the export (so that a later `--out --force` into the
/// same folder removes what this one wrote and the new one does not).
fn manifest(world: &World) -> Value {
    let files: Vec<String> = export(world)
        .iter()
        .map(|f| f.path.to_string_lossy().replace('\\', "/"))
        .collect();
    json!({
        "schemaVersion": crate::jsonl::SCHEMA_VERSION,
        "generator": format!("mtosim {}", env!("CARGO_PKG_VERSION")),
        "rules": world.rules().kind.name(),
        "seed": world.seed(),
        "simulatedTime": world.now().to_string(),
        "tenants": world.tenants().iter().map(|t| json!({
            "name": t.name(),
            "tenantId": t.spec.tenant_id.to_string(),
            "displayName": t.spec.display_name,
        })).collect::<Vec<_>>(),
        "files": files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    /// Counts the bytes live on each thread and their peak, so that a test sees the most one
    /// export holds at once (other tests' threads do not disturb it).
    struct PerThread;

    thread_local! {
        static LIVE: Cell<isize> = const { Cell::new(0) };
        static PEAK: Cell<isize> = const { Cell::new(0) };
    }

    fn count(n: isize) {
        let _ = LIVE.try_with(|l| {
            let v = l.get() + n;
            l.set(v);
            let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
        });
    }

    // SAFETY: every call is passed to the system allocator unchanged; counting allocates nothing.
    unsafe impl GlobalAlloc for PerThread {
        unsafe fn alloc(&self, l: Layout) -> *mut u8 {
            let p = unsafe { System.alloc(l) };
            if !p.is_null() {
                count(l.size() as isize);
            }
            p
        }
        unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
            unsafe { System.dealloc(p, l) };
            count(-(l.size() as isize));
        }
        unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
            let q = unsafe { System.realloc(p, l, new) };
            if !q.is_null() {
                count(new as isize - l.size() as isize);
            }
            q
        }
    }

    #[global_allocator]
    static ALLOC: PerThread = PerThread;

    /// The most bytes `f` held at once on this thread beyond what was live before, and its
    /// result.
    fn peak_of<T>(f: impl FnOnce() -> T) -> (usize, T) {
        let base = LIVE.with(Cell::get);
        PEAK.with(|p| p.set(base));
        let r = f();
        ((PEAK.with(Cell::get) - base).max(0) as usize, r)
    }

    /// Two tenants, `users` generated users in `a` synced to `b`, with the provisioning log.
    fn synced(users: usize) -> World {
        let text = format!(
            "[scenario]\nname = \"s\"\nseed = 1\n\n\
             [[tenant]]\nname = \"a\"\nusers = {{ generate = {users} }}\n\
             [[tenant.partner]]\ntenant = \"b\"\nauto_redeem_outbound = true\n\
             [[tenant]]\nname = \"b\"\n\
             [[tenant.partner]]\ntenant = \"a\"\nauto_redeem_inbound = true\nsync_inbound = true\n\
             [[step]]\ndo = \"create-sync\"\ntenant = \"a\"\ntarget = \"b\"\nname = \"to b\"\nscope = \"all\"\n\
             [[step]]\ndo = \"start-sync\"\ntenant = \"a\"\nsync = \"to b\"\n\
             [[step]]\ndo = \"settle\"\n"
        );
        let mut sc = mtosim_scenario::load::load("s.toml", &text).expect("loads");
        sc.world.set_log_provisioning(true);
        let run = mtosim_scenario::runner::run(sc);
        assert!(run.failures.is_empty(), "{:?}", run.failures);
        run.world
    }

    /// Counts what is written.
    #[derive(Default)]
    struct Counted(u64);

    impl Write for Counted {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// (peak bytes held, bytes written) of the whole export of `world`.
    fn export_peak(world: &World) -> (usize, u64) {
        let files = export(world);
        peak_of(|| {
            let mut w = Counted::default();
            for f in &files {
                f.write_to(&mut w).expect("counted");
            }
            w.0
        })
    }

    #[test]
    fn the_export_holds_one_object_at_a_time_whatever_its_size() {
        let small = synced(200);
        let large = synced(4_000);
        let (peak_small, bytes_small) = export_peak(&small);
        let (peak_large, bytes_large) = export_peak(&large);
        assert!(bytes_large > 15 * bytes_small, "{bytes_small} -> {bytes_large}");
        // a buffer or two and the object being rendered, not the files (megabytes here)
        assert!(
            peak_large < 256 * 1024 && peak_large < peak_small + 32 * 1024,
            "peak {peak_small} B for {bytes_small} B written, {peak_large} B for {bytes_large} B"
        );
        // rendering the same export in memory holds it whole: what `--out` did before
        let (peak_in_memory, _) = peak_of(|| files(&large));
        assert!(peak_in_memory as u64 > bytes_large, "{peak_in_memory}");
    }

    #[test]
    fn streamed_files_are_the_bytes_of_the_views_rendered_whole() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut worlds = vec![synced(30)];
        for f in [
            "fixtures/graph/mto-views.toml",
            "scenarios/cts-custom-mappings.toml",
        ] {
            let path = root.join(f);
            let (mut sc, _) = mtosim_scenario::load::load_path(path.to_str().unwrap(), false)
                .unwrap_or_else(|d| panic!("{f}: {d:?}"));
            sc.world.set_log_provisioning(true);
            worlds.push(mtosim_scenario::runner::run(sc).world);
        }
        for w in &worlds {
            for i in 0..w.tenants().len() {
                let t = TenantIdx(i as u16);
                let mut streamed = Vec::new();
                graph::write_users_json(w, t, &mut streamed).unwrap();
                let whole = serde_json::to_string_pretty(&graph::users_json(w, t)).unwrap() + "\n";
                assert_eq!(String::from_utf8(streamed).unwrap(), whole);
                let lines: String = w
                    .view(t)
                    .provisioning()
                    .map(|p| {
                        serde_json::to_string(&graph::to_value(
                            &graph::provisioning::ProvisioningObjectSummary::of(&p),
                        ))
                        .unwrap()
                            + "\n"
                    })
                    .collect();
                assert_eq!(graph::provisioning_jsonl(w, t), lines);
            }
            let events: String = w
                .events()
                .iter()
                .map(|e| crate::jsonl::event_json(w, e).to_string() + "\n")
                .collect();
            assert_eq!(crate::jsonl::events_jsonl(w), events);
            for f in export(w) {
                assert_eq!(
                    Some(f.contents()),
                    files(w).into_iter().find(|x| x.0 == f.path).map(|x| x.1)
                );
            }
        }
    }
}
