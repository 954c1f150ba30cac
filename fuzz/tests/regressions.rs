//! Replays every input saved under `testdata/fuzz/<target>/` (crashes the fuzzers found,
//! kept after the fix) through its target's check.

use std::path::Path;

#[test]
fn saved_fuzz_inputs_pass_their_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/fuzz");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&root).expect("testdata/fuzz") {
        let dir = entry.expect("entry").path();
        let name = dir.file_name().and_then(|n| n.to_str()).expect("name");
        let Some((_, check)) = aigw_fuzz::TARGETS.iter().find(|(t, _)| *t == name) else {
            panic!("testdata/fuzz/{name} names no fuzz target");
        };
        for file in std::fs::read_dir(&dir).expect("target dir") {
            let path = file.expect("file").path();
            if path.extension().is_some_and(|e| e == "md") {
                continue;
            }
            let input = std::fs::read(&path).expect("input");
            let result = std::panic::catch_unwind(|| check(&input));
            assert!(result.is_ok(), "{} fails its check", path.display());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no saved inputs under {}", root.display());
}
