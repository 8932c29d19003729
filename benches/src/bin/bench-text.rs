//! Prints a benchmark input (`prose`, `code` or `dense`, of SIZE bytes) to
//! stdout, so benchmarks in other languages measure the very bytes the
//! criterion benchmarks do: `bench-text prose 1024`.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (kind, size) = match args.as_slice() {
        [kind, size] => (kind.as_str(), size.as_str()),
        _ => {
            eprintln!("usage: bench-text prose|code|dense SIZE");
            return ExitCode::from(2);
        }
    };
    let Ok(size) = size.parse::<usize>() else {
        eprintln!("bench-text: SIZE must be a number of bytes, got `{size}`");
        return ExitCode::from(2);
    };
    let text = match kind {
        "prose" => govstream_benches::prose(size),
        "code" => govstream_benches::code(size),
        "dense" => govstream_benches::dense(size),
        other => {
            eprintln!("bench-text: unknown input `{other}` (prose, code or dense)");
            return ExitCode::from(2);
        }
    };
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-text: cannot write: {e}");
            ExitCode::FAILURE
        }
    }
}
