//! The report's `cli` section (issue 22): the release `evtutil` process against the evtx
//! crate's `evtx_dump` 0.15.1, side by side in the same run, on the real samples and on a
//! large file evtlog writes.
//!
//! - `evtutil` is `<target>/<host>/release/evtutil`, built first by the workspace's `cargo
//!   evtutil` alias (static-pie on linux-gnu, as users get it; a no-op when it is up to
//!   date); on linux-gnu `cli_evtutil_static_pie` says whether it is static-pie (`cargo
//!   test` fails unless it is). `evtx_dump` is `$EVTLOG_EVTX_DUMP`, else
//!   `<target>/tools/bin/evtx_dump` (CI installs it there from crates.io). Without one of
//!   them each line is printed as `<name>_skipped 1 flag`, with the reason on stderr.
//! - Every figure is the wall time of the whole process (start, read, render, write to
//!   /dev/null, exit), `evtutil --threads N qe FILE /lf:true [/f:jsonl]` against
//!   `evtx_dump -t N -o xml|jsonl FILE`, N = 1 and N = all cores. The two run alternately,
//!   round after round, and a ratio is the median of the per-round ratios
//!   (evtutil / evtx_dump; below 1 is faster), so both see the same moments of a shared
//!   machine.
//! - `cli_qe_xml_vs_evtx_dump_ratio` is the worst ratio over the samples and both thread
//!   counts, beside one line per file and thread count. `cli_qe_xml_large_vs_evtx_dump_ratio`
//!   is the worse of the two thread counts on the large file: `$EVTLOG_CLI_BENCH_RECORDS`
//!   generated Security records (10^6 in a full run, 10^3 in a quick one) written once by
//!   `EvtxWriter` into `<target>/tmp/bench-cli/` and reused while its marker names the same
//!   build and size; `$EVTLOG_BENCH_LARGE_EVTX` names an existing file to read instead
//!   (only read: one large file shared by several checkouts). `cli_qe_json_vs_evtx_dump_ratio` is the same comparison as the XML one
//!   in JSON lines (`cli_qe_json_large_vs_evtx_dump_ratio` on the large file), and
//!   `cli_qe_json_large_lines_differing` counts the large file's JSON lines that are not
//!   byte for byte evtx_dump's (0 expected).
//! - `cli_start_ms` is evtutil's start: the best of N wall times of `evtutil --threads 1 qe
//!   TINY.evtx /lf:true` on a 4-record, one-chunk file evtlog writes (the process's start,
//!   its one chunk and its exit; evtx_dump's on the same file beside it as
//!   `cli_start_evtx_dump_ms`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use evtlog::EvtxWriter;

use super::store::{is_marked_whole, label, write_security_records};
use super::{print, samples, Settings};

/// Names an `evtx_dump` binary to compare against.
const DUMP_ENV: &str = "EVTLOG_EVTX_DUMP";
/// How many records the large file holds.
const RECORDS_ENV: &str = "EVTLOG_CLI_BENCH_RECORDS";
/// Names an existing large file to read instead of writing one.
const LARGE_ENV: &str = "EVTLOG_BENCH_LARGE_EVTX";
/// What the large file's marker says: the build that wrote it.
const BUILD: &str = concat!(
    "evtlog ",
    env!("CARGO_PKG_VERSION"),
    "; Profile::Security, seed 22, EvtxWriter, record ids from 1"
);
const SEED: u64 = 22;

/// The two programs compared.
struct Tools {
    evtutil: PathBuf,
    dump: PathBuf,
}

/// The section.
pub fn cli(settings: &Settings) {
    let full = settings.rounds > 1;
    let tools = match tools() {
        Ok(tools) => tools,
        Err(why) => {
            eprintln!("cli: skipped: {why}");
            for name in [
                "cli_start_ms",
                "cli_qe_xml_vs_evtx_dump_ratio",
                "cli_qe_xml_large_vs_evtx_dump_ratio",
                "cli_qe_json_vs_evtx_dump_ratio",
            ] {
                println!("{name}_skipped 1 flag");
            }
            return;
        }
    };
    static_pie_line(&tools.evtutil, !full);
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads: Vec<usize> = if all > 1 { vec![1, all] } else { vec![1] };
    let temp = std::env::temp_dir().join(format!("evtlog-report-cli-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&temp) {
        eprintln!("cli: {}: {e}", temp.display());
        return;
    }
    start(&tools, &temp, if full { 30 } else { 2 });
    let files = sample_files();
    let rounds = if full { 11 } else { 1 };
    if files.is_empty() {
        println!("cli_qe_xml_vs_evtx_dump_ratio_skipped 1 flag");
        eprintln!("cli: no samples (EVTLOG_SAMPLES)");
    } else {
        compare(&tools, &files, &threads, rounds, Format::Xml, "");
        if evtutil_renders_jsonl(&tools, &temp) {
            compare(&tools, &files, &threads, rounds, Format::Jsonl, "");
        } else {
            eprintln!("cli: evtutil refuses /f:jsonl: the JSON comparison is skipped");
            println!("cli_qe_json_vs_evtx_dump_ratio_skipped 1 flag");
        }
    }
    match large_file(records(full)) {
        Ok(file) => {
            let rounds = if full { 3 } else { 1 };
            compare(
                &tools,
                std::slice::from_ref(&file),
                &threads,
                rounds,
                Format::Xml,
                "_large",
            );
            if evtutil_renders_jsonl(&tools, &temp) {
                compare(
                    &tools,
                    std::slice::from_ref(&file),
                    &threads,
                    rounds,
                    Format::Jsonl,
                    "_large",
                );
                json_lines_differing(&tools, &file.1);
            }
        }
        Err(why) => {
            eprintln!("cli: the large file: {why}");
            println!("cli_qe_xml_large_vs_evtx_dump_ratio_skipped 1 flag");
        }
    }
    let _ = std::fs::remove_dir_all(&temp);
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Xml,
    Jsonl,
}

/// evtutil (built now if needed) and evtx_dump, or why not.
fn tools() -> Result<Tools, String> {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .ok_or("no target directory")?
        .to_path_buf();
    let dump = std::env::var_os(DUMP_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| target.join("tools/bin/evtx_dump"));
    if !dump.is_file() {
        return Err(format!(
            "no evtx_dump at {} (set {DUMP_ENV}, or install evtx 0.15.1 there)",
            dump.display()
        ));
    }
    let version = Command::new(&dump)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    if !version.contains("0.15.1") {
        eprintln!("cli: {} says {version:?}, not 0.15.1", dump.display());
    }
    // The `evtutil` alias builds the binary users run (and runs its help, to /dev/null).
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = Command::new(cargo)
        .args(["--quiet", "evtutil", "/?"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot build evtutil: {e}"))?;
    if !built.success() {
        return Err(format!("building evtutil failed ({built})"));
    }
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let host = Command::new(rustc)
        .args(["--print", "host-tuple"])
        .output()
        .map_err(|e| format!("cannot ask rustc for the host: {e}"))?;
    let host = String::from_utf8_lossy(&host.stdout).trim().to_owned();
    let evtutil = target.join(host).join("release/evtutil");
    if !evtutil.is_file() {
        return Err(format!("no evtutil at {}", evtutil.display()));
    }
    Ok(Tools { evtutil, dump })
}

/// On linux-gnu: prints whether evtutil is static-pie; in `cargo test` (`check`) fails unless
/// it is, and unless this bench binary (a dynamic PIE) is told apart from it.
fn static_pie_line(evtutil: &Path, check: bool) {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        return;
    }
    let static_pie = std::fs::read(evtutil).is_ok_and(|elf| is_static_pie(&elf));
    if !static_pie {
        eprintln!(
            "cli: {} is not static-pie (RUSTFLAGS set?)",
            evtutil.display()
        );
    }
    println!("cli_evtutil_static_pie {} flag", u8::from(static_pie));
    if check {
        assert!(static_pie, "the release evtutil is not static-pie");
        let this = std::env::current_exe().and_then(std::fs::read);
        assert!(this.is_ok_and(|elf| !is_static_pie(&elf)));
    }
}

/// Whether a 64-bit little-endian ELF image is static-pie: position independent
/// (ET_DYN) and without a PT_INTERP header naming a dynamic loader.
pub(super) fn is_static_pie(elf: &[u8]) -> bool {
    const ET_DYN: u16 = 3;
    const PT_INTERP: u32 = 3;
    let u16_at = |at: usize| {
        elf.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u32_at = |at: usize| {
        elf.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let u64_at = |at: usize| {
        elf.get(at..at + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_le_bytes)
    };
    // ELFCLASS64, ELFDATA2LSB.
    if elf.get(..6) != Some(b"\x7fELF\x02\x01") || u16_at(16) != Some(ET_DYN) {
        return false;
    }
    let (Some(phoff), Some(phentsize), Some(phnum)) = (u64_at(32), u16_at(54), u16_at(56)) else {
        return false;
    };
    let Ok(phoff) = usize::try_from(phoff) else {
        return false;
    };
    (0..usize::from(phnum))
        .all(|i| u32_at(phoff + i * usize::from(phentsize)).is_some_and(|kind| kind != PT_INTERP))
}

/// The wall time of `program args…`, its output to /dev/null; whether it succeeded.
fn run(program: &Path, args: &[&str]) -> (f64, bool) {
    let start = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    (
        start.elapsed().as_secs_f64(),
        status.is_ok_and(|s| s.success()),
    )
}

fn evtutil_args<'a>(threads: &'a str, file: &'a str, format: Format) -> Vec<&'a str> {
    let mut args = vec!["--threads", threads, "qe", file, "/lf:true"];
    if format == Format::Jsonl {
        args.push("/f:jsonl");
    }
    args
}

fn dump_args<'a>(threads: &'a str, file: &'a str, format: Format) -> Vec<&'a str> {
    let format = match format {
        Format::Xml => "xml",
        Format::Jsonl => "jsonl",
    };
    vec!["-t", threads, "-o", format, file]
}

/// `cli_start_ms`: the best of `rounds` runs on a tiny file, beside evtx_dump's.
fn start(tools: &Tools, temp: &Path, rounds: usize) {
    let tiny = temp.join("tiny.evtx");
    let written = EvtxWriter::create(&tiny).and_then(|mut writer| {
        write_security_records(&mut writer, SEED, 4)?;
        writer.finish().map(drop)
    });
    if let Err(e) = written {
        eprintln!("cli: the tiny file: {e}");
        println!("cli_start_ms_skipped 1 flag");
        return;
    }
    let file = tiny.to_string_lossy();
    let (mut ours, mut theirs) = (f64::MAX, f64::MAX);
    for _ in 0..rounds.max(1) {
        let (t, ok) = run(&tools.evtutil, &evtutil_args("1", &file, Format::Xml));
        if !ok {
            eprintln!("cli: evtutil failed on the tiny file");
            println!("cli_start_ms_skipped 1 flag");
            return;
        }
        ours = ours.min(t);
        theirs = theirs.min(run(&tools.dump, &dump_args("1", &file, Format::Xml)).0);
    }
    print("cli_start_ms", ours * 1e3, "ms");
    print("cli_start_evtx_dump_ms", theirs * 1e3, "ms");
}

/// Whether this evtutil writes `/f:jsonl` (engineer-independent: it asks the binary).
fn evtutil_renders_jsonl(tools: &Tools, temp: &Path) -> bool {
    let tiny = temp.join("tiny.evtx");
    let file = tiny.to_string_lossy();
    run(&tools.evtutil, &evtutil_args("1", &file, Format::Jsonl)).1
}

/// One line per file and thread count, and the worst ratio as `cli_qe_<fmt><what>_vs_…`.
fn compare(
    tools: &Tools,
    files: &[(String, String)],
    threads: &[usize],
    rounds: usize,
    format: Format,
    what: &str,
) {
    let fmt = match format {
        Format::Xml => "xml",
        Format::Jsonl => "json",
    };
    let mut worst: Option<f64> = None;
    let mut total = (0.0, 0.0);
    for (label, file) in files {
        for &n in threads {
            let t = n.to_string();
            let tag = if n == 1 { "t1" } else { "tall" };
            let (mut ratios, mut ours, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
            let mut failed = false;
            for round in 0..rounds.max(1) {
                let us = || run(&tools.evtutil, &evtutil_args(&t, file, format));
                let them = || run(&tools.dump, &dump_args(&t, file, format));
                // Alternate which goes first.
                let ((a, ok), (b, _)) = if round % 2 == 0 {
                    let a = us();
                    (a, them())
                } else {
                    let b = them();
                    (us(), b)
                };
                failed |= !ok;
                ratios.push(a / b);
                ours.push(a);
                theirs.push(b);
            }
            if failed {
                eprintln!("cli: evtutil failed on {file} ({fmt}, {t} threads)");
                println!("cli_qe_{fmt}{what}_{label}_{tag}_failed 1 flag");
                continue;
            }
            let (ratio, a, b) = (median(ratios), median(ours), median(theirs));
            total.0 += a;
            total.1 += b;
            print(
                &format!("cli_qe_{fmt}{what}_ratio_{label}_{tag}"),
                ratio,
                "x",
            );
            if !what.is_empty() {
                print(
                    &format!("cli_qe_{fmt}{what}_ms_{label}_{tag}"),
                    a * 1e3,
                    "ms",
                );
                print(
                    &format!("evtx_dump_{fmt}{what}_ms_{label}_{tag}"),
                    b * 1e3,
                    "ms",
                );
            }
            worst = Some(worst.map_or(ratio, |w: f64| w.max(ratio)));
        }
    }
    if what.is_empty() {
        // The whole set's time, each tool's medians summed: the anchor of the ratios.
        print(&format!("cli_qe_{fmt}_samples_ms"), total.0 * 1e3, "ms");
        print(&format!("evtx_dump_{fmt}_samples_ms"), total.1 * 1e3, "ms");
    }
    match worst {
        Some(w) => print(&format!("cli_qe_{fmt}{what}_vs_evtx_dump_ratio"), w, "x"),
        None => println!("cli_qe_{fmt}{what}_vs_evtx_dump_ratio_skipped 1 flag"),
    }
}

/// `cli_qe_json_large_lines_differing`: the large file's JSON lines, evtutil's against
/// evtx_dump's, read from both processes in step and compared byte for byte (0: the same
/// output; the real samples' content is compared value by value in cli/tests/json.rs).
fn json_lines_differing(tools: &Tools, file: &str) {
    use std::io::{BufRead, BufReader};
    let spawn = |program: &Path, args: Vec<&str>| {
        Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
    };
    let (Ok(mut ours), Ok(mut theirs)) = (
        spawn(&tools.evtutil, evtutil_args("1", file, Format::Jsonl)),
        spawn(&tools.dump, dump_args("1", file, Format::Jsonl)),
    ) else {
        println!("cli_qe_json_large_lines_differing_skipped 1 flag");
        return;
    };
    let (Some(a), Some(b)) = (ours.stdout.take(), theirs.stdout.take()) else {
        println!("cli_qe_json_large_lines_differing_skipped 1 flag");
        return;
    };
    let (mut a, mut b) = (BufReader::new(a), BufReader::new(b));
    let (mut line_a, mut line_b) = (Vec::new(), Vec::new());
    let (mut lines, mut differing) = (0u64, 0u64);
    loop {
        line_a.clear();
        line_b.clear();
        let (n, m) = (
            a.read_until(b'\n', &mut line_a).unwrap_or(0),
            b.read_until(b'\n', &mut line_b).unwrap_or(0),
        );
        if n == 0 && m == 0 {
            break;
        }
        lines += 1;
        differing += u64::from(line_a != line_b);
    }
    let _ = (ours.wait(), theirs.wait());
    print("cli_qe_json_large_lines", lines as f64, "lines");
    print(
        "cli_qe_json_large_lines_differing",
        differing as f64,
        "lines",
    );
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Every .evtx sample, labelled by its file name (`evtx-crate/security.evtx` is
/// `security`), absolute.
pub(super) fn sample_files() -> Vec<(String, String)> {
    let Some(samples) = samples::samples() else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for folder in ["evtx-crate", "python-evtx", "plaso"] {
        let Ok(entries) = std::fs::read_dir(samples.dir().join(folder)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "evtx"))
            .collect();
        paths.sort();
        for path in paths {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let clean: String = stem
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            let label = format!("{}_{clean}", folder.replace('-', "_"));
            files.push((label, path.to_string_lossy().into_owned()));
        }
    }
    files
}

pub(super) fn records(full: bool) -> usize {
    std::env::var(RECORDS_ENV)
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|n| *n >= 1.0)
        .map_or(if full { 1_000_000 } else { 1_000 }, |n| n as usize)
}

/// The large file of `n` records, written unless its marker says it is whole; or the file
/// `$EVTLOG_BENCH_LARGE_EVTX` names, only read (to share one large file between checkouts),
/// labelled by its name (`security-1e6.evtx` is `1e6`, as a file written here would be).
pub(super) fn large_file(n: usize) -> Result<(String, String), String> {
    if let Some(path) = std::env::var_os(LARGE_ENV) {
        let path = PathBuf::from(path);
        if !path.is_file() {
            return Err(format!("{LARGE_ENV}: no file at {}", path.display()));
        }
        let stem = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let name = stem.strip_prefix("security-").unwrap_or(&stem);
        let label = name
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
            .to_ascii_lowercase();
        return Ok((label, path.to_string_lossy().into_owned()));
    }
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-cli");
    std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let label = label(n);
    let file = root.join(format!("security-{label}.evtx"));
    let marker = root.join(format!("security-{label}.complete"));
    let expected = format!("{BUILD}; {n} records");
    if is_marked_whole(&marker, &expected, &file) {
        return Ok((label, file.to_string_lossy().into_owned()));
    }
    let _ = std::fs::remove_file(&marker);
    let part = root.join(format!("security-{label}.part"));
    let start = Instant::now();
    let written = (|| {
        let mut writer = EvtxWriter::create(&part)?;
        write_security_records(&mut writer, SEED, n)?;
        writer.finish().map(drop)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&part);
        return Err(e.to_string());
    }
    std::fs::rename(&part, &file).map_err(|e| e.to_string())?;
    let size = std::fs::metadata(&file).map_err(|e| e.to_string())?.len();
    std::fs::write(&marker, format!("{expected}\n{size}\n")).map_err(|e| e.to_string())?;
    eprintln!(
        "cli: wrote the large file of {n} records ({} MiB) in {:.1} s",
        size >> 20,
        start.elapsed().as_secs_f64()
    );
    Ok((label, file.to_string_lossy().into_owned()))
}
