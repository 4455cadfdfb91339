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
