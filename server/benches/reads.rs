//! The read benchmark of `mtosim serve` (issue 19): 16 concurrent clients, each on one
//! keep-alive connection as Graph SDKs keep theirs, read single objects (a user by id, a user
//! by userPrincipalName, the multitenant organization) and pages of 100 users, from a tenant of
//! 100,000 users. It checks every answer's status and prints the throughput and latency
//! percentiles per kind. `cargo bench -p mtosim-server --bench reads`; `READS_REQUESTS`,
//! `READS_CLIENTS` and `READS_USERS` change the size, `READS_ONLY=k` reads one kind only. It also times how long a 5 x 100,000-user
//! scenario takes from its text to a server accepting connections.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A keep-alive HTTP/1.1 client on one connection.
struct Client {
    host: String,
    token: String,
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    fn connect(host: &str, token: &str) -> Client {
        let s = TcpStream::connect(host).expect("connect");
        s.set_nodelay(true).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        Client {
            host: host.to_string(),
            token: token.to_string(),
            reader: BufReader::new(s.try_clone().unwrap()),
            writer: s,
        }
    }

    /// `GET path`: the status and the body's length.
    fn get(&mut self, path: &str) -> (u16, usize) {
        let head = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\r\n",
            self.host, self.token
        );
        self.writer.write_all(head.as_bytes()).unwrap();
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .expect("a status line");
        let mut length = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((n, v)) = l.split_once(':') {
                if n.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap();
                }
            }
        }
        let mut body = vec![0u8; length];
        self.reader.read_exact(&mut body).unwrap();
        (status, length)
    }
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn scenario(tenants: usize, users: usize) -> String {
    let mut s = String::from("[scenario]\nname = \"reads\"\nrules = \"ga\"\nseed = 19\n\n");
    for i in 0..tenants {
        s.push_str(&format!(
            "[[tenant]]\nname = \"t{i}\"\nusers = {{ generate = {users} }}\n\n"
        ));
    }
    s.push_str("[[step]]\ndo = \"create-mto\"\ntenant = \"t0\"\ndisplay_name = \"Reads\"\n");
    s
}

fn serve(text: &str) -> (mtosim_server::Running, Duration) {
    let t0 = Instant::now();
    let sc = mtosim_scenario::load::load("reads.toml", text).expect("the scenario loads");
    let world = mtosim_scenario::runner::run(sc).world;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = mtosim_server::start(world, listener, mtosim_server::Config::default()).unwrap();
    (server, t0.elapsed())
}

fn main() {
    let clients = env("READS_CLIENTS", 16);
    let requests = env("READS_REQUESTS", 20_000);
    let users = env("READS_USERS", 100_000);
    // READS_ONLY=k reads one kind only (0 user by id, 1 by UPN, 2 the MTO, 3 pages)
    let only = std::env::var("READS_ONLY")
        .ok()
        .and_then(|v| v.parse::<usize>().ok());

    // ready to serve: 5 x 100k
    let (big, ready) = serve(&scenario(5, 100_000));
    println!(
        "ready: 5 tenants x 100000 users served after {:.3} s",
        ready.as_secs_f64()
    );
    big.stop().unwrap();

    let (server, _) = serve(&scenario(1, users));
    let host = server.url().trim_start_matches("http://").to_string();
    let token = server.tenants()[0].token.clone();
    // ids and UPNs to read, from one page
    let mut first = Client::connect(&host, &token);
    let _ = first.get("/v1.0/users?$top=1");
    let page = {
        let mut s = TcpStream::connect(&host).unwrap();
        write!(
            s,
            "GET /v1.0/users?$top=100&$select=id,userPrincipalName HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        let body = &raw[raw.find("\r\n\r\n").unwrap() + 4..];
        serde_json::from_str::<serde_json::Value>(body).unwrap()
    };
    let picks: Vec<(String, String)> = page["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap().to_string(),
                u["userPrincipalName"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let kinds = ["user by id", "user by UPN", "MTO", "page of 100 users"];
    let per = requests / clients;
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (host, token, picks) = (host.clone(), token.clone(), picks.clone());
            std::thread::spawn(move || {
                let mut cl = Client::connect(&host, &token);
                let mut lat: Vec<Vec<Duration>> = vec![Vec::new(); 4];
                for i in 0..per {
                    let k = only.unwrap_or((i + c) % 4);
                    let (id, upn) = &picks[(i * 7 + c) % picks.len()];
                    let path = match k {
                        0 => format!("/v1.0/users/{id}"),
                        1 => format!("/v1.0/users/{}", upn.replace('#', "%23")),
                        2 => "/v1.0/tenantRelationships/multiTenantOrganization".to_string(),
                        _ => format!("/v1.0/users?$top=100&$skiptoken=mtosim1.{:x}", (i * 100) % 50_000),
                    };
                    let t0 = Instant::now();
                    let (status, len) = cl.get(&path);
                    lat[k].push(t0.elapsed());
                    assert!(status == 200 && len > 0, "client {c}: {path}: {status}");
                }
                lat
            })
        })
        .collect();
    let mut by_kind: Vec<Vec<Duration>> = vec![Vec::new(); 4];
    for t in threads {
        for (k, l) in t.join().expect("a client").into_iter().enumerate() {
            by_kind[k].extend(l);
        }
    }
    let wall = started.elapsed();
    let mut all: Vec<Duration> = by_kind.iter().flatten().copied().collect();
    all.sort();
    println!(
        "reads: {clients} keep-alive clients, {} requests on a tenant of {users} users in {:.2} s: {:.0} requests/s; p50 {:.2} ms, p99 {:.2} ms",
        all.len(),
        wall.as_secs_f64(),
        all.len() as f64 / wall.as_secs_f64(),
        percentile(&all, 0.50).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
    );
    for (k, l) in by_kind.iter_mut().enumerate() {
        if l.is_empty() {
            continue;
        }
        l.sort();
        println!(
            "  {:<18} p50 {:.2} ms, p99 {:.2} ms",
            kinds[k],
            percentile(l, 0.50).as_secs_f64() * 1e3,
            percentile(l, 0.99).as_secs_f64() * 1e3
        );
    }
    server.stop().unwrap();
}
