//! The floor for `batch` throughput: read every record of a CSV with the csv crate and
//! do nothing else. Used by `scripts/bench-batch.sh`.

fn main() {
    let path = std::env::args().nth(1).expect("usage: csv_floor FILE");
    let mut reader = csv::Reader::from_path(&path).expect("readable CSV");
    let mut record = csv::ByteRecord::new();
    let mut records = 0u64;
    let mut bytes = 0u64;
    while reader
        .read_byte_record(&mut record)
        .expect("well-formed CSV")
    {
        records += 1;
        bytes += record.as_slice().len() as u64;
    }
    println!("{records} records, {bytes} field bytes");
}
