#!/usr/bin/env bash
# Fills fuzz/corpus/evtx_reader/ (and evtx_file_query/) from the real .evtx samples:
# every whole sample file, plus every used 64 KiB chunk on its own behind its file's
# 4096-byte header (small seeds fuzz better). The corpus is git-ignored: the samples are
# never copied into the repository.
#
# Usage: fuzz/seed.sh            (samples from $EVTLOG_SAMPLES, default ../shared/evtx-samples
#                                 relative to the repository root)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
samples="${EVTLOG_SAMPLES:-$root/../shared/evtx-samples}"
if [ ! -d "$samples" ]; then
    echo "seed.sh: no samples folder at $samples (set EVTLOG_SAMPLES)" >&2
    exit 1
fi

header=4096
chunk=65536
out="$root/fuzz/corpus/evtx_reader"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
head -c "$chunk" /dev/zero > "$tmp/zero"

files=0
chunks=0
while IFS= read -r -d '' f; do
    # A flat, unique name: the path under the samples folder with / and % replaced.
    name="$(printf '%s' "${f#"$samples"/}" | tr '/%' '__')"
    name="${name%.evtx}"
    cp "$f" "$out/$name.evtx"
    files=$((files + 1))
    size=$(stat -c %s "$f")
    slots=$(( (size - header) / chunk ))
    head -c "$header" "$f" > "$tmp/header"
    for ((i = 0; i < slots; i++)); do
        dd if="$f" of="$tmp/chunk" bs="$chunk" count=1 \
            iflag=skip_bytes skip="$((header + i * chunk))" status=none
        # Unused (all-zero) chunks add nothing the reader does not skip.
        if cmp -s "$tmp/chunk" "$tmp/zero"; then
            continue
        fi
        cat "$tmp/header" "$tmp/chunk" > "$out/$name.chunk$(printf '%03d' "$i").evtx"
        chunks=$((chunks + 1))
    done
done < <(find "$samples" -type f -name '*.evtx' -print0 | sort -z)

# The file-query target reads the same inputs.
mkdir -p "$root/fuzz/corpus/evtx_file_query"
cp "$out"/*.chunk*.evtx "$root/fuzz/corpus/evtx_file_query/"

# The manifest parser starts from the test manifests.
mkdir -p "$root/fuzz/corpus/manifest_xml"
cp "$root"/fixtures/manifests/*.man "$root/fuzz/corpus/manifest_xml/"

echo "seed.sh: $files sample files and $chunks chunks in $out"

# pe_resources: the real Windows binaries the evtx crate (a dev-dependency) ships, found
# through cargo metadata; skipped with a notice where the package is not on this machine.
dlls="$(cd "$root" && cargo metadata --format-version 1 --offline 2>/dev/null \
    | grep -o '"manifest_path":"[^"]*/evtx-0\.[^"/]*/Cargo.toml"' | head -n 1 \
    | sed -e 's/^"manifest_path":"//' -e 's|/Cargo.toml"$|/samples/dlls|')"
if [ -n "$dlls" ] && [ -d "$dlls" ]; then
    mkdir -p "$root/fuzz/corpus/pe_resources"
    cp "$dlls"/* "$root/fuzz/corpus/pe_resources/"
    echo "seed.sh: $(ls "$dlls" | wc -l) binaries in fuzz/corpus/pe_resources"
else
    echo "seed.sh: the evtx crate's samples/dlls not found; pe_resources has no seeds" >&2
fi

# pe_resources_small: the small built image of tests/it/resources.rs (a message table and
# services.exe's WEVT_TEMPLATE in ~20 KB), written by its test; it fuzzes ~50x faster than
# the real binaries (run pe_resources with this corpus directory and -max_len=65536).
mkdir -p "$root/fuzz/corpus/pe_resources_small"
if (cd "$root" && EVTLOG_FUZZ_SEED_DIR="$root/fuzz/corpus/pe_resources_small" \
        cargo test --quiet --test it resources::the_seed_image_reads_back >/dev/null 2>&1); then
    echo "seed.sh: the small image in fuzz/corpus/pe_resources_small"
else
    echo "seed.sh: could not write the small image (cargo test failed)" >&2
fi

# The text parsers start from small, valid inputs of each grammar: structured queries, XPath
# filters of every shape the compiler knows, bookmarks, and events rendered from the samples.
text="$root/fuzz/corpus"
mkdir -p "$text/xpath" "$text/query_list" "$text/event_xml" "$text/bookmark_xml"
n=0
while IFS= read -r q; do
    [ -n "$q" ] || continue
    n=$((n + 1))
    printf '%s' "$q" > "$text/xpath/q$n"
    printf '%s' "$q" > "$text/query_list/q$n"
done <<'QUERIES'
*
*[System]
*[System[(Level=1 or Level=2) and TimeCreated[timediff(@SystemTime) <= 86400000]]]
*[System[Provider[@Name='Microsoft-Windows-Security-Auditing'] and (EventID=4624 or EventID=4625)]]
*[System[EventRecordID>=10 and EventRecordID<20]]
*[System[band(Keywords,0x8010000000000000)]]
*[System[Execution[@ProcessID!=4]]]
*[EventData[Data[@Name='TargetUserName']='alice']]
*[EventData[Data='x' and Data[@Name='a']!='b']]
*[UserData[*[Path='C:\Windows']]]
*[System[TimeCreated[@SystemTime>='2024-01-01T00:00:00.000Z' and @SystemTime<'2025-01-01T00:00:00Z']]]
Event/System[Level<=3]
*[System/Level=2]
*[System[Security[@UserID='S-1-5-18']]]
*[System[Correlation[@ActivityID='{00000000-0000-0000-0000-000000000000}']]]
QUERIES
cat > "$text/query_list/list1" <<'XML'
<QueryList>
  <Query Id="0" Path="Application">
    <Select Path="Application">*[System[(Level=1 or Level=2)]]</Select>
    <Select Path="System">*</Select>
    <Suppress Path="Application">*[System[EventID=1000]]</Suppress>
  </Query>
  <Query Id="1" Path="file://C:\logs\a.evtx"><Select>*</Select></Query>
</QueryList>
XML
printf '%s' "<BookmarkList>
  <Bookmark Channel='Application' RecordId='42' IsCurrent='true'/>
  <Bookmark Channel='System' RecordId='7'/>
</BookmarkList>" > "$text/bookmark_xml/two"
printf '%s' "<BookmarkList>
</BookmarkList>" > "$text/bookmark_xml/empty"
printf '%s' "<BookmarkList Direction='backward'><Bookmark Channel='Microsoft-Windows-Sysmon/Operational' RecordId='18446744073709551615' IsCurrent='true'/></BookmarkList>" > "$text/bookmark_xml/backward"
# Events: the samples' first records, one event per file, as evtutil renders them.
events=0
if (cd "$root" && cargo build --quiet -p evtutil 2>/dev/null); then
    for f in "$samples"/*/*.evtx; do
        { "$root/target/debug/evtutil" --memory qe "$f" /lf:true /c:8 2>/dev/null || true; } \
            | awk -v dir="$text/event_xml" -v base="$(basename "$f" .evtx | tr '%' '_')" '
                /<Event[ >]/ { n++; file = sprintf("%s/%s.%d", dir, base, n) }
                file { printf "%s", $0 > file }
                /<\/Event>/ { close(file); file = "" }'
    done
    events=$(ls "$text/event_xml" | wc -l)
fi
echo "seed.sh: $n queries, a QueryList, 3 bookmarks and $events events for the text parsers"

# The EVTX targets' fast shape (fuzz_targets/evtx_input.rs): each used chunk's 512-byte
# header and its first records (at most four, at most 8 KiB), on their own, in their own
# corpus folders (evtx_reader_fast, evtx_file_query_fast) so that the slow whole-chunk
# inputs do not dilute them.
python3 - "$out" <<'PY'
import os, struct, sys, zlib
out = sys.argv[1]
written = 0
for name in sorted(os.listdir(out)):
    if ".chunk" not in name:
        continue
    chunk = open(os.path.join(out, name), "rb").read()[4096:]
    at, records = 512, 0
    while records < 4 and at + 8 <= len(chunk) and chunk[at:at + 4] == b"\x2a\x2a\x00\x00":
        size = struct.unpack_from("<I", chunk, at + 4)[0]
        if size < 24 or at + size > len(chunk) or at + size > 8192:
            break
        at, records = at + size, records + 1
    if records:
        # The header then describes the prefix: its last record, its free space offset and
        # both CRCs, so the reader stops at the prefix's end instead of resynchronising
        # through the zero padding (the padding cost ~80% of a run).
        chunk = bytearray(chunk[:at])
        last, pos = 512, 512
        while pos < at:
            last, pos = pos, pos + struct.unpack_from("<I", chunk, pos + 4)[0]
        first_number, first_id = struct.unpack_from("<Q", chunk, 8)[0], struct.unpack_from("<Q", chunk, 24)[0]
        struct.pack_into("<Q", chunk, 16, first_number + records - 1)
        struct.pack_into("<Q", chunk, 32, first_id + records - 1)
        struct.pack_into("<I", chunk, 44, last)
        struct.pack_into("<I", chunk, 48, at)
        struct.pack_into("<I", chunk, 52, zlib.crc32(chunk[512:at]))
        struct.pack_into("<I", chunk, 124, zlib.crc32(chunk[:120] + chunk[128:512]))
        chunk = bytes(chunk)
        for target in ("evtx_reader_fast", "evtx_file_query_fast"):
            os.makedirs(os.path.join(out, "..", target), exist_ok=True)
            with open(os.path.join(out, "..", target, name.replace(".evtx", ".prefix")), "wb") as f:
                f.write(chunk)
        written += 1
print(f"seed.sh: {written} chunk prefixes (the fast shape) in evtx_reader_fast and evtx_file_query_fast")
PY
# facade_model: the model test's seeds (48 random op sequences and a few written by hand),
# written by its test.
mkdir -p "$root/fuzz/corpus/facade_model"
if (cd "$root" && EVTLOG_FUZZ_SEED_DIR="$root/fuzz/corpus/facade_model" \
        cargo test --quiet --test it facade_model::random_op_sequences_match_the_model \
        >/dev/null 2>&1); then
    echo "seed.sh: $(ls "$root/fuzz/corpus/facade_model" | wc -l) op sequences in fuzz/corpus/facade_model"
else
    echo "seed.sh: could not write the facade_model seeds (cargo test failed)" >&2
fi
