//! The policy reader on arbitrary input: it reports problems, never panics,
//! and every problem is located by a JSON path from the root (`$`) with a
//! message. Reading is deterministic: the same input gives the same answer.

#![no_main]

use govstream::policy::PolicyConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let json = String::from_utf8_lossy(data);
    let first = PolicyConfig::from_json(&json);
    if let Err(problems) = &first {
        assert!(!problems.is_empty(), "an error without problems");
        for p in problems {
            assert!(p.path.starts_with('$'), "problem path {:?}", p.path);
            assert!(
                !p.message.is_empty(),
                "problem at {} without a message",
                p.path
            );
        }
    }
    assert_eq!(
        first,
        PolicyConfig::from_json(&json),
        "reading twice differs"
    );
});
