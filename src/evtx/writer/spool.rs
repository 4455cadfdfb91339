//! [`Spooled`]: a file written by a helper thread while the caller encodes, and synced in
//! steps as it grows, so that the caller's final sync waits only for the tail. An export's
//! time is otherwise the encoding, then the page-cache copies, then the device.
//!
//! Invariants:
//! - Bytes reach the file in the order they were written, each at the offset it was written
//!   at (a seek sends what is buffered first).
//! - The first I/O error stops the thread; every later write, and [`Spooled::finish`],
//!   returns an error, the thread's own when it can be had. Dropping a `Spooled` joins its
//!   thread: none outlives it.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::thread::JoinHandle;

// The hand-off between the caller and the thread: bounded crossbeam channels, both ways
// (filled buffers to the thread, emptied ones back), as the design names for every queue
// between threads.
use crossbeam_channel::{bounded, Receiver, Sender};

/// Bytes buffered before they are handed to the thread.
const BUFFER: usize = 1 << 20;
/// Buffers in flight: the caller waits when the thread is this far behind.
const IN_FLIGHT: usize = 4;
/// The thread syncs the file's data each time this much more was written.
const SYNC_STEP: u64 = 8 << 20;

/// A file written by a helper thread.
pub(crate) struct Spooled {
    to_thread: Option<Sender<(u64, Vec<u8>)>>,
    spares: Receiver<Vec<u8>>,
    thread: Option<JoinHandle<io::Result<File>>>,
    buf: Vec<u8>,
    /// The file offset of `buf[0]`.
    at: u64,
}

impl std::fmt::Debug for Spooled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spooled")
            .field("at", &self.at)
            .field("buffered", &self.buf.len())
            .finish_non_exhaustive()
    }
}

impl Spooled {
    pub(crate) fn new(file: File) -> io::Result<Spooled> {
        let (to_thread, from_caller) = bounded::<(u64, Vec<u8>)>(IN_FLIGHT);
        let (to_caller, spares) = bounded::<Vec<u8>>(IN_FLIGHT + 1);
        let thread = std::thread::Builder::new()
            .name("evtlog-spool".into())
            .spawn(move || {
                let mut file = file;
                let mut end = 0u64;
                let mut unsynced = 0u64;
                for (at, mut bytes) in from_caller {
                    if at != end {
                        file.seek(SeekFrom::Start(at))?;
                    }
                    file.write_all(&bytes)?;
                    end = at + bytes.len() as u64;
                    unsynced += bytes.len() as u64;
                    if unsynced >= SYNC_STEP {
                        file.sync_data()?;
                        unsynced = 0;
                    }
                    bytes.clear();
                    // A full spare list only means the caller has enough.
                    let _ = to_caller.try_send(bytes);
                }
                Ok(file)
            })?;
        Ok(Spooled {
            to_thread: Some(to_thread),
            spares,
            thread: Some(thread),
            buf: Vec::with_capacity(BUFFER),
            at: 0,
        })
    }

    /// Hands the buffered bytes to the thread.
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let next = self
            .spares
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BUFFER));
        let bytes = std::mem::replace(&mut self.buf, next);
        let len = bytes.len() as u64;
        let sent = match &self.to_thread {
            Some(tx) => tx.send((self.at, bytes)).is_ok(),
            None => false,
        };
        if !sent {
            return Err(self.stopped());
        }
        self.at += len;
        Ok(())
    }

    /// The thread stopped early: its error.
    fn stopped(&mut self) -> io::Error {
        self.to_thread = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => e,
            _ => io::Error::other("the file's writer thread stopped"),
        }
    }

    /// Everything written reaches the file; returns it (the caller syncs it).
    pub(crate) fn finish(mut self) -> io::Result<File> {
        self.send()?;
        self.to_thread = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            _ => Err(io::Error::other("the file's writer thread failed")),
        }
    }
}

impl Write for Spooled {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.buf.len() + bytes.len() > BUFFER && !self.buf.is_empty() {
            self.send()?;
        }
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    /// Hands what is buffered to the thread (it does not wait for the file).
    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

impl Seek for Spooled {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let here = self.at + self.buf.len() as u64;
        let to = match pos {
            SeekFrom::Start(to) => Some(to),
            SeekFrom::Current(d) => here.checked_add_signed(d),
            SeekFrom::End(_) => None,
        }
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "an unsupported seek"))?;
        if to != here {
            self.send()?;
            self.at = to;
        }
        Ok(to)
    }
}

impl Drop for Spooled {
    fn drop(&mut self) {
        self.to_thread = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn temp(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("evtlog-spool-{name}-{}", std::process::id()))
    }

    /// Bytes land where they were written, across buffer sizes and seeks, against writing
    /// the same into a `Vec` (the naive oracle).
    #[test]
    fn writes_and_seeks_land_as_in_memory() {
        let path = temp("oracle");
        let mut spooled = Spooled::new(File::create(&path).unwrap()).unwrap();
        let mut oracle = io::Cursor::new(Vec::new());
        let mut x = 7u32;
        for round in 0..40 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let len = (x as usize >> 8) % (3 * BUFFER / 2);
            let bytes: Vec<u8> = (0..len).map(|i| (i as u32 ^ x) as u8).collect();
            spooled.write_all(&bytes).unwrap();
            oracle.write_all(&bytes).unwrap();
            if round % 7 == 3 {
                let to = u64::from(x) % (oracle.get_ref().len() as u64 + 1);
                assert_eq!(spooled.seek(SeekFrom::Start(to)).unwrap(), to);
                oracle.seek(SeekFrom::Start(to)).unwrap();
            }
        }
        spooled.finish().unwrap();
        let mut written = Vec::new();
        File::open(&path)
            .unwrap()
            .read_to_end(&mut written)
            .unwrap();
        assert!(
            written == *oracle.get_ref(),
            "the file differs from the oracle"
        );
        let _ = std::fs::remove_file(&path);
    }

    /// A thread that fails (a read-only file) makes writes and `finish` fail, and nothing
    /// hangs.
    #[test]
    fn an_io_error_is_reported() {
        let path = temp("readonly");
        File::create(&path).unwrap();
        let mut spooled = Spooled::new(File::open(&path).unwrap()).unwrap();
        let chunk = vec![1u8; BUFFER];
        let failed = (0..2 * IN_FLIGHT + 4).any(|_| spooled.write_all(&chunk).is_err());
        assert!(failed || spooled.finish().is_err());
        let _ = std::fs::remove_file(&path);
    }
}
