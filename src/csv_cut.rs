//! Cuts CSV records out of a byte stream: the reading half of `batch` and `ci`. It
//! owns record boundaries, unquoting and line numbers; decoding cells and finding
//! columns are the catalog's.
//!
//! It reads exactly what the csv crate reads with its default dialect (comma, or another
//! delimiter byte such as `;` or tab, double quote, `""` as an escaped quote, `\r`, `\n`
//! or `\r\n` ending a record, blank lines skipped, any number of fields): a property
//! test holds the two to the same fields on any input. What differs is the speed, and
//! the line numbers. Most of a catalog is long quoted ingredient cells, and it finds
//! their ends with memchr (vectorised) where the csv crate steps a state machine through
//! every byte; a batch's reading thread is the one part of it that cannot be spread over
//! cores. A record's line is the line its first byte is on, counting `\n`, where the csv
//! crate gives the line it had reached when it started the record: for a `\r\n` file, or
//! after a blank line, that is an earlier line.

use std::io::{self, Read};
use std::ops::Range;

use memchr::{memchr2, memchr3};

/// One record's fields, unquoted, in one buffer: either the record's bytes exactly
/// as read, when each field is a plain slice of them (see `as_read`), or the fields
/// copied out end to end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields<B = Vec<u8>> {
    bytes: B,
    /// Where each field is in `bytes`.
    spans: Vec<Range<usize>>,
    /// `bytes` is the record as read, written as a CSV writer would write these fields.
    as_read: bool,
}

impl<B: AsRef<[u8]>> Fields<B> {
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The bytes of field `i`.
    pub fn get_bytes(&self, i: usize) -> Option<&[u8]> {
        Some(&self.bytes.as_ref()[self.spans.get(i)?.clone()])
    }

    pub fn iter_bytes(&self) -> impl Iterator<Item = &[u8]> {
        self.spans.iter().map(|r| &self.bytes.as_ref()[r.clone()])
    }

    /// The buffer, the fields' spans in it and whether it is the record as read.
    pub fn into_parts(self) -> (B, Vec<Range<usize>>, bool) {
        (self.bytes, self.spans, self.as_read)
    }
}

impl Fields<String> {
    /// Fields from text and spans that fall on its char boundaries.
    pub fn from_parts(text: String, spans: Vec<Range<usize>>, as_read: bool) -> Fields<String> {
        debug_assert!(
            spans
                .iter()
                .all(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end))
        );
        Fields {
            bytes: text,
            spans,
            as_read,
        }
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        Some(&self.bytes[self.spans.get(i)?.clone()])
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.spans.iter().map(|r| &self.bytes[r.clone()])
    }

    /// The record as it was read, when a CSV writer (comma-separated, quoting only
    /// the fields that hold a comma, a quote or a line end, quotes doubled) would write
    /// these fields as exactly these bytes: a batch then copies them instead of
    /// writing the fields again. `None` for any other record.
    pub fn as_read(&self) -> Option<&str> {
        self.as_read.then_some(self.bytes.as_str())
    }

    /// Adds a field; the buffer is then no longer the record as read.
    pub fn push(&mut self, field: &str) {
        let start = self.bytes.len();
        self.bytes.push_str(field);
        self.spans.push(start..self.bytes.len());
        self.as_read = false;
    }
}

impl Fields {
    /// Fields end to end in `bytes`, field `i` ending at `ends[i]`.
    pub fn from_raw(bytes: Vec<u8>, ends: Vec<usize>) -> Fields {
        debug_assert!(ends.last().is_none_or(|&e| e <= bytes.len()));
        let mut start = 0;
        let spans = ends
            .into_iter()
            .map(|end| {
                let span = start..end;
                start = end;
                span
            })
            .collect();
        Fields {
            bytes,
            spans,
            as_read: false,
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for Fields<String> {
    fn from_iter<I: IntoIterator<Item = S>>(fields: I) -> Fields<String> {
        let mut out = Fields::default();
        for f in fields {
            out.push(f.as_ref());
        }
        out
    }
}

/// The read buffer's size; a record longer than this grows it.
const BUFFER: usize = 256 << 10;

/// A record longer than this (its bytes as read, without its line end) is not kept:
/// it is read past and given with no fields (see `oversized`). Sixteen labels at the
/// size limit fit in it; what does not is a stray quote that swallows the rest of a
/// large file, which would otherwise be held in memory whole.
pub const MAX_RECORD: usize = 16 << 20;

/// Reads records one at a time from a byte stream.
pub struct Cutter<R> {
    src: R,
    buf: Vec<u8>,
    /// The unread bytes are `buf[pos..end]`.
    pos: usize,
    end: usize,
    eof: bool,
    /// After an input error, nothing more is read.
    failed: bool,
    /// The line `buf[pos]` is on.
    line: u64,
    /// Bytes consumed before `buf[pos]`.
    consumed: u64,
    /// Where the current record's fields are, in `buf[pos..]`: `pieces` are byte
    /// ranges, and field `i` is the pieces up to `ends[i]` (a quoted field with `""`
    /// in it is more than one piece).
    pieces: Vec<Range<usize>>,
    ends: Vec<usize>,
    /// The last record ended inside a quoted field (see `open_quote`).
    open: bool,
    /// The byte between fields: `,` unless told otherwise.
    delimiter: u8,
    /// Records longer than this are read past (`MAX_RECORD`; smaller in tests).
    max_record: usize,
    /// The last record's length, when it was over `max_record` (see `oversized`).
    oversized: Option<u64>,
    /// What had been read of the record an input error cut short (see `cut_short`).
    cut_short: Option<Fields>,
}

impl<R: Read> Cutter<R> {
    pub fn new(src: R) -> Cutter<R> {
        Cutter::with_buffer(src, BUFFER)
    }

    /// Fields separated by `delimiter` (`;`, tab) instead of a comma; neither a quote
    /// nor a line end can be one.
    pub fn with_delimiter(src: R, delimiter: u8) -> Cutter<R> {
        assert!(
            !matches!(delimiter, b'"' | b'\r' | b'\n'),
            "a delimiter is neither a quote nor a line end"
        );
        Cutter {
            delimiter,
            ..Cutter::new(src)
        }
    }

    fn with_buffer(src: R, size: usize) -> Cutter<R> {
        Cutter {
            src,
            buf: vec![0; size.max(1)],
            pos: 0,
            end: 0,
            eof: false,
            failed: false,
            line: 1,
            consumed: 0,
            pieces: Vec::new(),
            ends: Vec::new(),
            open: false,
            delimiter: b',',
            max_record: MAX_RECORD,
            oversized: None,
            cut_short: None,
        }
    }

    /// The next record and the line it starts on; `None` at the end of the input. An
    /// input error is returned once, and ends the records.
    pub fn next_record(&mut self) -> Option<io::Result<(u64, Fields)>> {
        // The usual delimiters are constants in their own copy of the loop, where
        // testing a byte against the three ends of unquoted text is one step.
        match self.delimiter {
            b',' => self.next_record_with::<b','>(),
            b';' => self.next_record_with::<b';'>(),
            b'\t' => self.next_record_with::<b'\t'>(),
            _ => self.next_record_with::<0>(),
        }
    }

    /// `next_record` with the delimiter `D`, or `self.delimiter` when `D` is 0.
    fn next_record_with<const D: u8>(&mut self) -> Option<io::Result<(u64, Fields)>> {
        let mut need_more = false;
        while !self.failed {
            self.skip_blank_lines();
            if self.pos == self.end && self.eof {
                return None;
            }
            if self.pos < self.end && !need_more {
                let unread = &self.buf[self.pos..self.end];
                match cut::<D>(
                    unread,
                    self.eof,
                    self.delimiter,
                    &mut self.pieces,
                    &mut self.ends,
                ) {
                    Cut::Record {
                        len,
                        newlines,
                        open,
                    } => {
                        let too_long = len > self.max_record;
                        let record = if too_long {
                            Fields::default()
                        } else {
                            self.take(len, open)
                        };
                        self.oversized = too_long.then_some(len as u64);
                        self.open = open;
                        let line = self.line;
                        self.line += newlines;
                        self.pos += len;
                        self.consumed += len as u64;
                        return Some(Ok((line, record)));
                    }
                    // The record is longer than what is here: past the limit, it is
                    // read through without being kept.
                    Cut::NeedMore if self.end - self.pos > self.max_record => {
                        return Some(self.read_past().inspect_err(|_| self.failed = true));
                    }
                    Cut::NeedMore => need_more = true,
                }
                continue;
            }
            if let Err(e) = self.fill(need_more) {
                self.failed = true;
                // The cells read before the error (an id, a name) are kept for the
                // error record, so a reader can tell which product was cut.
                if self.pos < self.end
                    && let Cut::Record { len, open, .. } = cut::<D>(
                        &self.buf[self.pos..self.end],
                        true,
                        self.delimiter,
                        &mut self.pieces,
                        &mut self.ends,
                    )
                    && len <= self.max_record
                {
                    self.cut_short = Some(self.take(len, open));
                }
                return Some(Err(e));
            }
            need_more = false;
        }
        None
    }

    /// The last record's length in bytes, when it was longer than `MAX_RECORD`: it
    /// was read past and given with no fields.
    pub fn oversized(&self) -> Option<u64> {
        self.oversized
    }

    /// After `next_record` gave an input error: the fields read of the record the
    /// error cut short, if any bytes of it had been read.
    pub fn cut_short(&mut self) -> Option<Fields> {
        self.cut_short.take()
    }

    /// Reads past the record at `pos`, longer than `max_record`, without keeping it:
    /// the rules of `cut`, a byte at a time, find where it ends. Its line end is left
    /// for the next record's blank-line skip, as `cut` leaves it.
    fn read_past(&mut self) -> io::Result<(u64, Fields)> {
        #[derive(Clone, Copy, PartialEq)]
        enum At {
            FieldStart,
            Unquoted,
            Quoted,
            /// A quote inside quotes: doubled, or closing them.
            QuoteInQuotes,
        }
        let (line, delimiter) = (self.line, self.delimiter);
        let mut at = At::FieldStart;
        let mut len = 0u64;
        'record: loop {
            let unread = &self.buf[self.pos..self.end];
            for (i, &b) in unread.iter().enumerate() {
                let line_end = matches!(b, b'\r' | b'\n');
                at = match at {
                    At::Quoted if b == b'"' => At::QuoteInQuotes,
                    At::Quoted => {
                        self.line += u64::from(b == b'\n');
                        At::Quoted
                    }
                    At::QuoteInQuotes if b == b'"' => At::Quoted,
                    At::FieldStart if b == b'"' => At::Quoted,
                    _ if line_end => {
                        self.pos += i;
                        len += i as u64;
                        break 'record;
                    }
                    _ if b == delimiter => At::FieldStart,
                    _ => At::Unquoted,
                };
            }
            len += unread.len() as u64;
            self.pos = self.end;
            if self.eof {
                break;
            }
            self.fill(false)?;
        }
        self.consumed += len;
        self.open = at == At::Quoted;
        self.oversized = Some(len);
        Ok((line, Fields::default()))
    }

    /// Whether the last record ended inside quotes: a quote opened in its last field
    /// was never closed, so that field ran to the end of the input, taking in every
    /// line after it. The csv crate reads it the same way and says nothing; a batch
    /// makes it an error record, since the lines it swallowed may be records.
    pub fn open_quote(&self) -> bool {
        self.open
    }

    /// The line reached: where the next record starts, or where an error stopped it.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Bytes consumed so far, for progress.
    pub fn position(&self) -> u64 {
        self.consumed
    }

    /// Blank lines between records are no records (`\r\n` is one end of record and
    /// a blank line to the csv crate alike).
    fn skip_blank_lines(&mut self) {
        while self.pos < self.end && matches!(self.buf[self.pos], b'\r' | b'\n') {
            self.line += u64::from(self.buf[self.pos] == b'\n');
            self.pos += 1;
            self.consumed += 1;
        }
    }

    /// Copies the cut record (its first `len` bytes) out of the buffer: as it was read,
    /// when a writer would write its fields so (see `Fields::as_read`), else unquoted.
    /// A record `open` at the end of the input lacks its closing quote.
    fn take(&self, len: usize, open: bool) -> Fields {
        let base = &self.buf[self.pos..self.end];
        if !open && let Some(spans) = self.spans_as_read(base) {
            return Fields {
                bytes: base[..len].to_vec(),
                spans,
                as_read: true,
            };
        }
        let size = self.pieces.iter().map(|r| r.len()).sum();
        let mut bytes = Vec::with_capacity(size);
        let mut ends = Vec::with_capacity(self.ends.len());
        let mut from = 0;
        for &to in &self.ends {
            for r in &self.pieces[from..to] {
                bytes.extend_from_slice(&base[r.clone()]);
            }
            ends.push(bytes.len());
            from = to;
        }
        Fields::from_raw(bytes, ends)
    }

    /// The fields' spans in the record as read, when a comma-separated writer would
    /// write them as those bytes: every field one slice of them (no `""` inside, no
    /// text after a closing quote), quoted exactly when it holds a comma or a line
    /// end, and a field that is not quoted holds no quote. `None` otherwise.
    fn spans_as_read(&self, base: &[u8]) -> Option<Vec<Range<usize>>> {
        if self.delimiter != b',' {
            return None;
        }
        let mut spans = Vec::with_capacity(self.ends.len());
        let mut from = 0;
        for &to in &self.ends {
            match &self.pieces[from..to] {
                // An empty field with nothing around it.
                [] => spans.push(0..0),
                [r] => {
                    let field = &base[r.clone()];
                    let quoted = r.start > 0 && base[r.start - 1] == b'"';
                    // Unquoted fields are mostly short (ids, names, types): a plain
                    // loop, where a vector scan costs more to set up.
                    let written_quoted = if quoted {
                        memchr3(b',', b'\n', b'\r', field).is_some()
                    } else {
                        field.contains(&b'"')
                    };
                    if quoted != written_quoted {
                        return None;
                    }
                    spans.push(r.clone());
                }
                _ => return None,
            }
            from = to;
        }
        Some(spans)
    }

    /// Moves the unread bytes to the front and reads more. When the record being cut
    /// needs more than is there, reading goes on until the unread bytes have doubled
    /// (growing the buffer if it must), so a record is cut again only a logarithmic
    /// number of times however it arrives.
    fn fill(&mut self, need_more: bool) -> io::Result<()> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        let want = if need_more {
            (2 * self.end).max(1)
        } else {
            self.end + 1
        };
        if want > self.buf.len() {
            self.buf.resize(want.next_power_of_two(), 0);
        }
        while self.end < want {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

enum Cut {
    /// A record ends `len` bytes in (before its terminator, which is left for the
    /// next record's blank-line skip), with `newlines` inside quoted fields; `open`
    /// when the input ended inside a quoted field.
    Record {
        len: usize,
        newlines: u64,
        open: bool,
    },
    /// The bytes end inside the record and there are more to read.
    NeedMore,
}

/// Where unquoted text ends: the first delimiter or line end. Unquoted cells are
/// mostly short (ids, names, types), where a plain loop beats setting up a vector scan.
#[inline(always)]
fn unquoted_end(b: &[u8], delimiter: u8) -> Option<usize> {
    let head = b.len().min(32);
    match b[..head]
        .iter()
        .position(|&c| c == delimiter || matches!(c, b'\r' | b'\n'))
    {
        Some(i) => Some(i),
        None => memchr3(delimiter, b'\r', b'\n', &b[head..]).map(|i| head + i),
    }
}

/// Cuts the record that starts at `b[0]` (not a line end) into `pieces` and `ends`
/// (see `Cutter`). `eof`: nothing follows `b`, so running out of bytes ends the
/// record, as it does for the csv crate (an open quote included).
///
/// The delimiter is `D`, a constant for the usual ones; when `D` is 0, it is
/// `delimiter`, whatever byte that is.
fn cut<const D: u8>(
    b: &[u8],
    eof: bool,
    delimiter: u8,
    pieces: &mut Vec<Range<usize>>,
    ends: &mut Vec<usize>,
) -> Cut {
    let delimiter = if D == 0 { delimiter } else { D };
    pieces.clear();
    ends.clear();
    let n = b.len();
    let mut newlines = 0;
    let mut p = 0;
    // The end of the input ends the field and the record; short of it, read more.
    macro_rules! out_of_bytes {
        ($from:expr, $open:expr) => {{
            if !eof {
                return Cut::NeedMore;
            }
            pieces.push($from..n);
            ends.push(pieces.len());
            return Cut::Record {
                len: n,
                newlines,
                open: $open,
            };
        }};
    }
    // Unquoted text runs to a delimiter (next field) or a line end (end of record).
    macro_rules! unquoted {
        ($from:expr) => {{
            let from = $from;
            match unquoted_end(&b[from..], delimiter) {
                None => out_of_bytes!(from, false),
                Some(i) => {
                    let q = from + i;
                    pieces.push(from..q);
                    ends.push(pieces.len());
                    if b[q] != delimiter {
                        return Cut::Record {
                            len: q,
                            newlines,
                            open: false,
                        };
                    }
                    p = q + 1;
                }
            }
        }};
    }
    loop {
        // At the start of a field.
        if p == n {
            out_of_bytes!(p, false);
        }
        match b[p] {
            c if c == delimiter => {
                ends.push(pieces.len());
                p += 1;
            }
            b'\r' | b'\n' => {
                ends.push(pieces.len());
                return Cut::Record {
                    len: p,
                    newlines,
                    open: false,
                };
            }
            b'"' => {
                let mut from = p + 1;
                let mut at = from;
                loop {
                    let Some(i) = memchr2(b'"', b'\n', &b[at..]) else {
                        out_of_bytes!(from, true)
                    };
                    let q = at + i;
                    if b[q] == b'\n' {
                        newlines += 1;
                        at = q + 1;
                        continue;
                    }
                    // A quote: doubled, it is a quote; otherwise it closes the quotes.
                    if q + 1 == n {
                        if !eof {
                            return Cut::NeedMore;
                        }
                        pieces.push(from..q);
                        ends.push(pieces.len());
                        return Cut::Record {
                            len: n,
                            newlines,
                            open: false,
                        };
                    }
                    match b[q + 1] {
                        b'"' => {
                            pieces.push(from..q + 1);
                            from = q + 2;
                            at = from;
                        }
                        c if c == delimiter => {
                            pieces.push(from..q);
                            ends.push(pieces.len());
                            p = q + 2;
                            break;
                        }
                        b'\r' | b'\n' => {
                            pieces.push(from..q);
                            ends.push(pieces.len());
                            return Cut::Record {
                                len: q + 1,
                                newlines,
                                open: false,
                            };
                        }
                        // `"a"b`: text after the closing quote is kept, unquoted.
                        _ => {
                            pieces.push(from..q);
                            unquoted!(q + 1);
                            break;
                        }
                    }
                }
            }
            _ => unquoted!(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Hands out at most `step` bytes per read, as a pipe might.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.bytes.len());
            out[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    fn cut_all(input: &[u8], buffer: usize, step: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        cut_all_with(input, buffer, step, b',')
    }

    fn cut_all_with(
        input: &[u8],
        buffer: usize,
        step: usize,
        delimiter: u8,
    ) -> Vec<(u64, Vec<Vec<u8>>)> {
        records(input, buffer, step, delimiter)
            .into_iter()
            .map(|(line, record, _)| (line, record.iter_bytes().map(<[u8]>::to_vec).collect()))
            .collect()
    }

    /// Every record with its line and whether it ended inside quotes, read from
    /// `input` in reads of `step` bytes into a buffer of `buffer`.
    fn records(
        input: &[u8],
        buffer: usize,
        step: usize,
        delimiter: u8,
    ) -> Vec<(u64, Fields, bool)> {
        capped(input, buffer, step, delimiter, MAX_RECORD)
            .into_iter()
            .map(|r| (r.line, r.fields, r.open))
            .collect()
    }

    /// A record as `capped` gives it.
    struct CutRecord {
        line: u64,
        fields: Fields,
        open: bool,
        oversized: Option<u64>,
        /// Its length as read, without the line end.
        len: u64,
    }

    /// `records`, with records over `max_record` bytes read past.
    fn capped(
        input: &[u8],
        buffer: usize,
        step: usize,
        delimiter: u8,
        max_record: usize,
    ) -> Vec<CutRecord> {
        let mut cutter = Cutter {
            delimiter,
            max_record,
            ..Cutter::with_buffer(Trickle { bytes: input, step }, buffer)
        };
        let mut out = Vec::new();
        let mut end = 0;
        while let Some(r) = cutter.next_record() {
            let (line, fields) = r.expect("reading from memory cannot fail");
            let mut start = end;
            while matches!(input[start], b'\r' | b'\n') {
                start += 1;
            }
            end = cutter.position() as usize;
            out.push(CutRecord {
                line,
                fields,
                open: cutter.open_quote(),
                oversized: cutter.oversized(),
                len: (end - start) as u64,
            });
        }
        assert_eq!(cutter.position(), input.len() as u64, "every byte consumed");
        out
    }

    /// The csv crate's records, each with the line of its first byte: the crate
    /// gives where it started reading, which may be a line end before the record.
    fn csv_crate(input: &[u8], delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut out = Vec::new();
        for r in reader.byte_records() {
            let record = r.expect("the csv crate accepts any bytes when flexible");
            let mut start = record.position().expect("records have positions").byte() as usize;
            while matches!(input.get(start), Some(b'\r' | b'\n')) {
                start += 1;
            }
            let line = 1 + input[..start].iter().filter(|&&c| c == b'\n').count() as u64;
            out.push((line, record.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn cuts_what_the_csv_crate_reads(
            input in proptest::collection::vec(
                prop_oneof![
                    Just(&b"a"[..]), Just(&b"b"[..]), Just(&b","[..]), Just(&b"\""[..]),
                    Just(&b";"[..]), Just(&b"\t"[..]), Just(&b"|"[..]),
                    Just(&b"\r"[..]), Just(&b"\n"[..]), Just(&b" "[..]), Just(&b"\xE9"[..]),
                    // Longer than the plain loop's reach in `unquoted_end`.
                    Just(&b"abcdefghijklmnopqrstuvwxyz0123456789"[..]),
                ],
                0..120,
            ).prop_map(|tokens| tokens.concat()),
            buffer in 1usize..40,
            step in 1usize..20,
            // `|` takes the copy of `cut` for any delimiter.
            delimiter in prop_oneof![Just(b','), Just(b';'), Just(b'\t'), Just(b'|')],
        ) {
            prop_assert_eq!(
                cut_all_with(&input, buffer, step, delimiter),
                csv_crate(&input, delimiter)
            );
        }
    }

    /// The fields as a CSV writer writes them.
    fn written(fields: &Fields) -> Vec<u8> {
        let mut out = Vec::new();
        let mut row = crate::report::csv::Row::new(&mut out);
        for f in fields.iter_bytes() {
            row.field(f);
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn a_record_kept_as_read_is_what_a_writer_writes(
            input in proptest::collection::vec(
                prop_oneof![
                    Just(&b"a"[..]), Just(&b","[..]), Just(&b"\""[..]), Just(&b";"[..]),
                    Just(&b"\r"[..]), Just(&b"\n"[..]), Just(&b" "[..]),
                ],
                0..60,
            ).prop_map(|tokens| tokens.concat()),
            buffer in 1usize..40,
            step in 1usize..20,
            delimiter in prop_oneof![Just(b','), Just(b';')],
        ) {
            for (_, fields, _) in records(&input, buffer, step, delimiter) {
                let (bytes, spans, as_read) = fields.clone().into_parts();
                if as_read {
                    prop_assert_eq!(delimiter, b',');
                    prop_assert_eq!(&bytes, &written(&fields));
                    prop_assert!(spans.iter().all(|r| r.end <= bytes.len()));
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn a_record_over_the_limit_is_read_past_and_the_rest_read_as_ever(
            input in proptest::collection::vec(
                prop_oneof![
                    Just(&b"a"[..]), Just(&b","[..]), Just(&b"\""[..]), Just(&b"\r"[..]),
                    Just(&b"\n"[..]), Just(&b"bcdefghij"[..]),
                ],
                0..80,
            ).prop_map(|tokens| tokens.concat()),
            buffer in 1usize..40,
            step in 1usize..20,
            max_record in 1usize..30,
        ) {
            let all = capped(&input, buffer, step, b',', usize::MAX);
            let some = capped(&input, buffer, step, b',', max_record);
            prop_assert_eq!(all.len(), some.len());
            for (a, s) in all.iter().zip(&some) {
                prop_assert_eq!(a.line, s.line);
                prop_assert_eq!(a.len, s.len);
                prop_assert_eq!(a.open, s.open);
                if a.len > max_record as u64 {
                    prop_assert_eq!(s.oversized, Some(a.len));
                    prop_assert!(s.fields.is_empty());
                } else {
                    prop_assert_eq!(s.oversized, None);
                    prop_assert_eq!(&s.fields, &a.fields);
                }
            }
        }
    }

    #[test]
    fn a_stray_quote_in_a_large_input_is_not_held_in_memory() {
        // 40 MiB after an unclosed quote: the cutter's buffer stays near the limit.
        let mut input = b"id,ingredients\n1,\"Water, Glycerin\n".to_vec();
        input.extend(b"2,Retinol\n".repeat(4 << 20));
        let mut cutter = Cutter::new(&input[..]);
        let (_, header) = cutter.next_record().unwrap().unwrap();
        assert_eq!(header.len(), 2);
        let (line, fields) = cutter.next_record().unwrap().unwrap();
        assert_eq!((line, fields.len()), (2, 0));
        assert_eq!(cutter.oversized(), Some(input.len() as u64 - 15));
        assert!(cutter.open_quote());
        assert!(
            cutter.buf.len() <= 2 * MAX_RECORD,
            "{} bytes held",
            cutter.buf.len()
        );
        assert!(cutter.next_record().is_none());
        assert_eq!(
            cutter.line(),
            3 + (4 << 20),
            "every line end inside the quotes counted"
        );
    }

    #[test]
    fn records_a_writer_would_write_otherwise_are_not_kept_as_read() {
        let kept = |input: &[u8], delimiter: u8| -> Vec<bool> {
            records(input, 64, 5, delimiter)
                .into_iter()
                .map(|(_, f, _)| f.into_parts().2)
                .collect()
        };
        let input = b"P1,Product 1,\"Water, Glycerin\"\r\n,,\r\nP2,\"Gel\nTwo\",x\n";
        assert_eq!(kept(input, b','), [true, true, true]);
        assert_eq!(
            kept(b"id;name\nP1;\"Water, Glycerin\"\n", b';'),
            [false, false]
        );
        for other in [
            &b"\"P1\",x\n"[..], // quoted with no need
            b"\"\",x\n",        // an empty field quoted
            b"a\"b,c\n",        // a quote in an unquoted field
            b"\"a\"\"b\",c\n",  // a doubled quote
            b"\"x\"y,z\n",      // text after the closing quote
            b"a,\"b, c",        // a quote never closed
        ] {
            assert_eq!(
                kept(other, b','),
                [false],
                "{:?}",
                String::from_utf8_lossy(other)
            );
        }
    }

    fn fields(records: &[(u64, Vec<Vec<u8>>)]) -> Vec<(u64, Vec<String>)> {
        records
            .iter()
            .map(|(line, f)| {
                (
                    *line,
                    f.iter()
                        .map(|c| String::from_utf8_lossy(c).into())
                        .collect(),
                )
            })
            .collect()
    }

    #[test]
    fn a_record_is_on_the_line_its_first_byte_is_on() {
        let input = b"name,ingredients\r\nA,\"Water,\r\nRetinol\"\r\n\r\nB,Water\r\n";
        let got = fields(&cut_all(input, BUFFER, usize::MAX));
        assert_eq!(
            got,
            [
                (1, vec!["name".into(), "ingredients".into()]),
                (2, vec!["A".into(), "Water,\r\nRetinol".into()]),
                (5, vec!["B".into(), "Water".into()]),
            ]
        );
    }

    #[test]
    fn a_cell_larger_than_the_buffer_arriving_in_small_reads_is_whole() {
        let cell = "Water, Glycerin, \"\"Retinol\"\"\n".repeat(5_000);
        let input = format!("ingredients,x\n\"{cell}\",1\nWater,2\n");
        let got = fields(&cut_all(input.as_bytes(), 64, 7));
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].1[0], cell.replace("\"\"", "\""));
        assert_eq!(got[2], (5_003, vec!["Water".into(), "2".into()]));
    }

    #[test]
    fn an_open_quote_runs_to_the_end_of_the_input() {
        let got = fields(&cut_all(b"a,\"b\nc,d", 4, 3));
        assert_eq!(got, [(1, vec!["a".into(), "b\nc,d".into()])]);
    }

    /// Each record's `open_quote`, read in reads of `step` bytes.
    fn open_quotes(input: &[u8], step: usize) -> Vec<bool> {
        records(input, 4, step, b',')
            .into_iter()
            .map(|(_, _, open)| open)
            .collect()
    }

    #[test]
    fn a_quote_never_closed_is_told_apart_from_one_closed_at_the_end() {
        let cases: [(&[u8], &[bool]); 8] = [
            (b"a,\"b\nc,d\n", &[true]),
            (b"x\na,\"b\"", &[false, false]),
            (b"x\na,\"b\"\"", &[false, true]),
            (b"x\na,\"b\"\"\"", &[false, false]),
            (b"x\n\"", &[false, true]),
            (b"x\na,b", &[false, false]),
            (b"x\n\"a\"b", &[false, false]),
            (b"\"a\",\"b\"\r\n\"c\nd\",e\r\n", &[false, false]),
        ];
        for (input, want) in cases {
            for step in [1, 2, 3, 64] {
                assert_eq!(
                    open_quotes(input, step),
                    want,
                    "{:?} in reads of {step}",
                    String::from_utf8_lossy(input)
                );
            }
        }
    }

    #[test]
    fn an_input_error_is_returned_once_and_ends_the_records() {
        struct Broken(bool);
        impl Read for Broken {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                if std::mem::replace(&mut self.0, true) {
                    return Err(io::Error::other("corrupt gzip stream"));
                }
                out[..4].copy_from_slice(b"a\nb,");
                Ok(4)
            }
        }
        let mut cutter = Cutter::with_buffer(Broken(false), 64);
        assert_eq!(cutter.next_record().unwrap().unwrap().0, 1);
        let e = cutter.next_record().unwrap().unwrap_err();
        assert_eq!(e.to_string(), "corrupt gzip stream");
        assert!(cutter.next_record().is_none());
    }
}
