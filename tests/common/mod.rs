//! Set-up shared by the integration tests that run the binary on files.
#![allow(dead_code)] // each test crate uses part of it

use std::path::PathBuf;

use assert_cmd::Command;

/// The binary, with colour off.
pub fn aftercare() -> Command {
    let mut c = Command::cargo_bin("aftercare").unwrap();
    c.env("NO_COLOR", "1");
    c
}

/// A folder of the test's own, removed when dropped; named after the test crate and
/// the process, so parallel tests and runs never share one.
pub struct Dir(pub PathBuf);

impl Dir {
    pub fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!(
            "aftercare-{}-{name}-{}",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }

    pub fn file(&self, name: &str, contents: &(impl AsRef<[u8]> + ?Sized)) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, contents.as_ref()).unwrap();
        p
    }

    /// A path in the folder, for a file the test does not write itself.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}
