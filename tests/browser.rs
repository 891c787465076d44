//! Lesson 07's page in a real browser: `tests/browser/lesson07.mjs` drives Debian's chromium,
//! headless, against the `lesson07` binary cargo built for this test (its steps are in the
//! script's header).
//!
//! The browser and the driver are not Rust dependencies: `bash tests/browser/install.sh`
//! installs both (chromium from apt, playwright-core pinned by `package-lock.json`). Without
//! them this test prints one line and passes, so `cargo test` works on any machine; CI sets
//! `CHATKIT_REQUIRE_BROWSER=1`, and then a missing browser fails it instead.

use std::io::Write;
use std::path::Path;
use std::process::Command;

/// What the script needs that cargo does not build, with what is missing about each.
fn missing_tools(root: &Path) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if !Path::new("/usr/bin/chromium").exists() {
        missing.push("/usr/bin/chromium");
    }
    if !root
        .join("tests/browser/node_modules/playwright-core")
        .exists()
    {
        missing.push("tests/browser/node_modules");
    }
    if Command::new("node").arg("--version").output().is_err() {
        missing.push("node");
    }
    missing
}

#[test]
fn lesson07s_page_works_in_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let missing = missing_tools(root);
    if !missing.is_empty() {
        let required = std::env::var("CHATKIT_REQUIRE_BROWSER").is_ok_and(|value| value == "1");
        assert!(
            !required,
            "CHATKIT_REQUIRE_BROWSER=1 but {} missing: run bash tests/browser/install.sh",
            missing.join(", ")
        );
        // Straight to stderr, not `eprintln!`, which the test harness captures: the line
        // shows in every `cargo test`, so a skipped browser test is never mistaken for a pass.
        let _ = writeln!(
            std::io::stderr(),
            "tests/browser.rs skipped: {} missing (bash tests/browser/install.sh installs them)",
            missing.join(", ")
        );
        return;
    }
    let screenshots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lesson07-screenshots");
    let status = Command::new("node")
        .arg(root.join("tests/browser/lesson07.mjs"))
        .arg("--bin")
        .arg(env!("CARGO_BIN_EXE_lesson07"))
        .arg("--screenshots")
        .arg(&screenshots)
        .status()
        .expect("node starts");
    assert!(status.success(), "tests/browser/lesson07.mjs failed");
}
