//! The `--out` layout: every file of one run's views, in a stable order. Each tenant's folder
//! holds its Graph JSON (through `mtosim-graph`), `users.csv` in the "Download users" format
//! and, when recorded, `provisioning.jsonl`; the top level holds `manifest.json`,
//! `events.jsonl` and `topology.dot` (petgraph). Writing the files is the CLI's job.

use mtosim_engine::directory::Attr;
use mtosim_engine::view::UserOrigin;
use mtosim_engine::{SimTime, TenantIdx, World};
use mtosim_graph as graph;
use serde_json::{json, Value};
use std::path::PathBuf;

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
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
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
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(DOWNLOAD_USERS_HEADER).expect("in memory");
    let domain = &world.tenant(t).spec.initial_domain;
    for r in world.view(t).users() {
        let a = |x: Attr| r.attr(x).unwrap_or("").to_string();
        let (creation, state, issuer) = match r.origin {
            UserOrigin::Internal => (String::new(), String::new(), domain.clone()),
            UserOrigin::ImportedExternal => (
                "Invitation".to_string(),
                "Accepted".to_string(),
                "ExternalAzureAD".to_string(),
            ),
            UserOrigin::Account {
                home,
                pending_acceptance,
            } => (
                "Invitation".to_string(),
                if pending_acceptance {
                    "PendingAcceptance"
                } else {
                    "Accepted"
                }
                .to_string(),
                world.tenant(home).spec.initial_domain.clone(),
            ),
        };
        let record = [
            r.upn.clone(),
            a(Attr::DisplayName),
            a(Attr::Surname),
            a(Attr::Mail),
            a(Attr::GivenName),
            r.id.to_string(),
            r.user_type.as_str().to_string(),
            a(Attr::JobTitle),
            a(Attr::Department),
            if r.account_enabled { "True" } else { "False" }.to_string(),
            a(Attr::UsageLocation),
            a(Attr::StreetAddress),
            a(Attr::State),
            a(Attr::Country),
            a(Attr::OfficeLocation),
            a(Attr::City),
            a(Attr::PostalCode),
            a(Attr::TelephoneNumber),
            a(Attr::MobilePhone),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            a(Attr::CompanyName),
            creation,
            String::new(),
            state,
            issuer,
            portal_time(r.created),
        ];
        w.write_record(record.iter().map(|c| csv_safe(c)))
            .expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8 in, UTF-8 out")
}

/// The tenants and their sync configurations as a Graphviz digraph (built with petgraph):
/// owners as double octagons, members as boxes, pending tenants dashed, tenants outside any
/// MTO grey; one edge per live configuration, labelled with its name and account count.
pub fn topology_dot(world: &World) -> String {
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
    format!("{dot:?}")
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Every file of the export, as (relative path, contents), in a stable order.
pub fn files(world: &World) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let pretty = |v: &Value| serde_json::to_string_pretty(v).expect("JSON values serialize") + "\n";
    for i in 0..world.tenants().len() {
        let t = TenantIdx(i as u16);
        let dir = PathBuf::from(world.name(t));
        for (name, v) in [
            (
                "multiTenantOrganization.json",
                graph::multi_tenant_organization(world, t),
            ),
            ("tenants.json", graph::tenants(world, t)),
            ("joinRequest.json", graph::join_request(world, t)),
            (
                "multiTenantOrganizationPartnerConfiguration.json",
                graph::partner_template(world, t),
            ),
            (
                "multiTenantOrganizationIdentitySynchronization.json",
                graph::identity_template(world, t),
            ),
            ("partners.json", graph::partners(world, t)),
        ] {
            out.push((dir.join(name), pretty(&v)));
        }
        if world.log_provisioning() {
            out.push((
                dir.join("provisioning.jsonl"),
                graph::provisioning_jsonl(world, t),
            ));
        }
        out.push((dir.join("users.csv"), users_csv(world, t)));
        out.push((dir.join("users.json"), pretty(&graph::users_json(world, t))));
    }
    let manifest = json!({
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
    });
    out.push((PathBuf::from("manifest.json"), pretty(&manifest)));
    out.push((PathBuf::from("events.jsonl"), crate::jsonl::events_jsonl(world)));
    out.push((PathBuf::from("topology.dot"), topology_dot(world)));
    out
}
