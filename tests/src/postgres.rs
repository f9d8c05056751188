//! A PostgreSQL server of a test's own: Debian's `initdb` and `pg_ctl` on a temporary
//! folder, listening only on a Unix socket in that folder, stopped when dropped. As root
//! (CI) it runs as the `postgres` user, which PostgreSQL insists on.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct TestPostgres {
    /// A libpq connection string for `tokio-postgres`.
    pub url: String,
    dir: tempfile::TempDir,
    bin: PathBuf,
    as_postgres: bool,
}

fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is not installed (scripts/setup.sh installs it)")
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect("no initdb under /usr/lib/postgresql")
}

impl TestPostgres {
    pub fn start() -> TestPostgres {
        let bin = bin_dir();
        let dir = tempfile::Builder::new().prefix("guichet-pg").tempdir().expect("temp dir");
        let as_postgres = crate::nix_uid() == 0;
        if as_postgres {
            run("chown", &["postgres:postgres", &dir.path().to_string_lossy()]);
        }
        let data = dir.path().join("data");
        let mut pg = TestPostgres { url: String::new(), dir, bin, as_postgres };
        pg.pg("initdb", &["-D", &data.to_string_lossy(), "-A", "trust", "-U", "fleet", "--no-sync"]);
        let socket = pg.dir.path().to_string_lossy().into_owned();
        // No TCP at all (listen_addresses ''), fsync off: a test's server.
        let options = format!("-c listen_addresses='' -c unix_socket_directories='{socket}' -c fsync=off");
        let log = pg.dir.path().join("log");
        pg.pg(
            "pg_ctl",
            &["-D", &data.to_string_lossy(), "-l", &log.to_string_lossy(), "-o", &options, "-w", "-t", "30", "start"],
        );
        pg.url = format!("host={socket} user=fleet dbname=postgres");
        pg
    }

    fn pg(&self, tool: &str, args: &[&str]) {
        let program = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        // Started from the folder, which the postgres user can enter.
        let out = cmd.args(args).current_dir(self.dir.path()).output().expect("run a PostgreSQL tool");
        assert!(
            out.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

fn run(program: &str, args: &[&str]) {
    let status = Command::new(program).args(args).status().expect(program);
    assert!(status.success(), "{program} {args:?} failed");
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        if self.url.is_empty() {
            return;
        }
        let data = self.dir.path().join("data");
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.pg("pg_ctl", &["-D", &data.to_string_lossy(), "-m", "immediate", "-w", "stop"]);
        }));
    }
}
