//! Bounded input, whatever the source: an endless file or pipe is read no further than
//! a limit, and a configuration or database that is not a regular file is refused
//! before it is read. Each case is a whole process with a time limit, so an unbounded
//! read fails the test instead of filling memory.
#![cfg(unix)]

use std::time::Duration;

use assert_cmd::Command;

fn aftercare(args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("aftercare")
        .unwrap()
        .args(args)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_endless_label_file_is_read_to_the_limit_then_refused() {
    let (code, err) = aftercare(&["check", "-f", "/dev/zero"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("larger than the limit"), "{err}");
}

#[test]
fn endless_standard_input_is_read_to_the_limit_then_refused() {
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("aftercare"))
        .arg("check")
        .stdin(std::process::Stdio::from(zero))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard input is larger"));
}

#[test]
fn a_database_or_policy_that_is_not_a_regular_file_is_refused() {
    for args in [
        &["check", "--db", "/dev/zero", "Water"][..],
        &["db", "validate", "/dev/zero"][..],
        &["ci", "Cargo.toml", "--config", "/dev/zero"][..],
    ] {
        let (code, err) = aftercare(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("not a regular file"), "{args:?}: {err}");
    }
}

#[test]
fn a_label_of_only_claims_or_prose_says_so_once_in_plain_words() {
    let (code, err) = aftercare(&[
        "check",
        "Free of parabens. This cream is lovely and it is made for you with care.",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("holds no ingredient names; passed over: "),
        "{err}"
    );
    assert!(!err.contains("was found"), "{err}");
    let passed_over = err.split("passed over: ").nth(1).unwrap();
    let kinds: Vec<&str> = passed_over.trim().split("; ").collect();
    let mut unique = kinds.clone();
    unique.dedup();
    assert_eq!(kinds, unique, "{err}");
}
