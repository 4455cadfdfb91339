"""python-evtx (0.8.1) reads every .evtx file evtlog wrote: the file header, every chunk
header and every record pass verify(), and each record's XML has the content of evtlog's
rendering of it (given as one XML event per line, `evtutil qe FILE /lf:true`).

Content is compared as trees: names without namespace, attributes and text equal after
python-evtx's rendering differences (reference/evtx-format.md §12): FILETIMEs as dates,
hex zero-padded, Binary in base64, GUID case, control characters.

Usage: pyevtx_check.py FILE.evtx EXPECTED.xml [FILE.evtx EXPECTED.xml ...]
"""
import base64
import binascii
import datetime
import re
import sys
import xml.etree.ElementTree as ET

from Evtx.Evtx import Evtx

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|&#([0-8]|1[124-9]|2[0-9]|3[01]);")


def parse(xml):
    # Control characters are dropped: XML 1.0 cannot carry them (python-evtx drops some).
    return ET.fromstring(CONTROL.sub("", xml))


def as_time(s):
    for fmt in ("%Y-%m-%d %H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S%z"):
        try:
            return datetime.datetime.strptime(s, fmt)
        except ValueError:
            pass
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z", s)
    if m:
        frac = (m.group(2) or "0")[:6].ljust(6, "0")
        return datetime.datetime.strptime(m.group(1) + "." + frac + "+0000", "%Y-%m-%dT%H:%M:%S.%f%z")
    return None


def same_value(theirs, ours):
    # An XML parser reads a raw CR LF (python-evtx) as LF; evtlog writes CR as `&#13;`.
    theirs = (theirs or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    ours = (ours or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if theirs == ours or theirs.lower() == ours.lower():
        return True
    # FILETIME 0: python-evtx gives datetime.min.
    if theirs == "0001-01-01 00:00:00" and ours == "1601-01-01T00:00:00.0000000Z":
        return True
    if ours.startswith("0x") and theirs.startswith("0x"):
        try:
            return int(theirs, 16) == int(ours, 16)
        except ValueError:
            return False
    t, o = as_time(theirs), as_time(ours)
    if t is not None and o is not None:
        # python-evtx converts FILETIMEs through floats: a few microseconds off.
        return abs((t - o).total_seconds()) < 1e-5
    if re.fullmatch(r"[0-9A-F]+", ours) and len(ours) % 2 == 0:
        try:
            return base64.b64decode(theirs, validate=True) == binascii.unhexlify(ours)
        except (binascii.Error, ValueError):
            return False
    return False


def local(tag):
    return tag.split("}", 1)[-1]


def compare(theirs, ours, where, problems):
    if local(theirs.tag) != local(ours.tag):
        problems.append(f"{where}: element {local(theirs.tag)} vs {local(ours.tag)}")
        return
    where = f"{where}/{local(ours.tag)}"
    ta = {local(k): v for k, v in theirs.attrib.items() if v != "" or k in ours.attrib}
    oa = {local(k): v for k, v in ours.attrib.items()}
    if set(ta) != set(oa):
        problems.append(f"{where}: attributes {sorted(ta)} vs {sorted(oa)}")
    for k in oa:
        if k in ta and not same_value(ta[k], oa[k]):
            problems.append(f"{where}/@{k}: {ta[k]!r} vs {oa[k]!r}")
    if not same_value(theirs.text, ours.text):
        problems.append(f"{where}: text {theirs.text!r} vs {ours.text!r}")
    tc, oc = list(theirs), list(ours)
    if len(tc) != len(oc):
        problems.append(f"{where}: {len(tc)} children vs {len(oc)}")
        return
    for a, b in zip(tc, oc):
        compare(a, b, where, problems)


def check(path, expected_path):
    problems = []
    unescaped = []
    with open(expected_path, encoding="utf-8") as f:
        expected = [line for line in f.read().split("\n") if line]
    records = 0
    with Evtx(path) as log:
        header = log.get_file_header()
        if not header.verify():
            problems.append("file header verify() failed")
        for chunk in header.chunks():
            if not chunk.verify():
                problems.append(f"chunk at {chunk.offset()} verify() failed")
            for record in chunk.records():
                if not record.verify():
                    problems.append(f"record {record.record_num()} verify() failed")
                if records >= len(expected):
                    problems.append(f"record {record.record_num()}: more records than evtlog wrote")
                    break
                try:
                    xml = record.xml()
                except Exception as e:  # noqa: BLE001 - any failure to read is the finding
                    problems.append(f"record {record.record_num()}: python-evtx failed: {e!r}")
                    records += 1
                    continue
                try:
                    theirs = parse(xml)
                except ET.ParseError as e:
                    # python-evtx writes attribute values unescaped: a `"` in one makes its
                    # XML malformed. It read the record; only its rendering is wrong.
                    if "&quot;" in expected[records]:
                        unescaped.append(record.record_num())
                    else:
                        problems.append(f"record {record.record_num()}: malformed XML: {e}")
                    records += 1
                    continue
                compare(theirs, parse(expected[records]), f"record {record.record_num()}", problems)
                records += 1
    if records != len(expected):
        problems.append(f"{records} records read, {len(expected)} written")
    return records, unescaped, problems


def main(argv):
    failed = False
    for path, expected in zip(argv[1::2], argv[2::2]):
        records, unescaped, problems = check(path, expected)
        status = "ok" if not problems else f"{len(problems)} problems"
        note = ""
        if unescaped:
            note = f" ({len(unescaped)} not compared: python-evtx leaves a quote unescaped)"
        print(f"{path}: {records} records, {status}{note}")
        for p in problems[:10]:
            print(f"  {p}")
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
