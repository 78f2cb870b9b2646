//! The `aiperf` binary. Everything lives in the library (`aiperf_cli`), so
//! the integration tests link exactly what the binary links.

fn main() -> std::process::ExitCode {
    aiperf_cli::main()
}
