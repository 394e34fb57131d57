//! The embedded index's files read with positioned reads (`pread`) instead of a memory map.
//!
//! tantivy's `MmapDirectory` maps every segment file. Every page a search touches then counts
//! in the server's resident memory until the kernel needs it back: at a million comments, a
//! crowd of searches left 400-450 MiB of the index mapped in, twice what the process itself
//! held. Read with `pread`, the same pages live in the kernel's page cache, shared and dropped
//! under pressure as any file's, and the server holds only what tantivy keeps: each segment's
//! term dictionary, field norms and fast fields, read once when the segment opens, and the
//! bytes of one query's postings while it runs.
//!
//! Writing, locking, deleting and watching `meta.json` are `MmapDirectory`'s own.

use std::{
    fmt,
    fs::File,
    io,
    ops::Range,
    os::unix::fs::FileExt,
    path::{Path, PathBuf},
    sync::Arc,
};

use tantivy::{
    Directory, HasLen,
    directory::{
        DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback, WatchHandle,
        WritePtr,
        error::{DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError},
    },
};

/// A directory whose files are read with positioned reads (see the module's note).
#[derive(Clone, Debug)]
pub struct ReadAtDirectory {
    root: PathBuf,
    inner: MmapDirectory,
}

impl ReadAtDirectory {
    /// Opens `root`, which must exist.
    pub fn open(root: &Path) -> Result<ReadAtDirectory, OpenDirectoryError> {
        Ok(ReadAtDirectory {
            root: root.to_path_buf(),
            inner: MmapDirectory::open(root)?,
        })
    }
}

/// One open file of the index.
struct ReadAtFile {
    file: File,
    len: usize,
}

impl fmt::Debug for ReadAtFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReadAtFile({} bytes)", self.len)
    }
}

impl HasLen for ReadAtFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for ReadAtFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.start > range.end || range.end > self.len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("range {range:?} outside a file of {} bytes", self.len),
            ));
        }
        let mut bytes = vec![0u8; range.end - range.start];
        self.file.read_exact_at(&mut bytes, range.start as u64)?;
        Ok(OwnedBytes::new(bytes))
    }
}

impl Directory for ReadAtDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let full = self.root.join(path);
        let file = File::open(&full).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => OpenReadError::FileDoesNotExist(path.to_path_buf()),
            _ => OpenReadError::wrap_io_error(e, path.to_path_buf()),
        })?;
        let len = file
            .metadata()
            .map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))?
            .len() as usize;
        Ok(Arc::new(ReadAtFile { file, len }))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::{
        Index, IndexWriter, TantivyDocument,
        collector::Count,
        query::TermQuery,
        schema::{IndexRecordOption, STORED, Schema, TEXT, Value},
    };

    use super::*;

    #[test]
    fn an_index_is_written_searched_and_read_back_without_mapping_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Schema::builder();
        let body = b.add_text_field("body", TEXT | STORED);
        let index = Index::create(
            ReadAtDirectory::open(dir.path()).unwrap(),
            b.build(),
            Default::default(),
        )
        .unwrap();
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..2_000 {
            let text = if i % 4 == 0 {
                "privacy law"
            } else {
                "other text"
            };
            writer
                .add_document(tantivy::doc!(body => format!("{text} {i}")))
                .unwrap();
        }
        writer.commit().unwrap();
        drop(writer);

        // Opened again from the files, as a restarted server would.
        let index = Index::open(ReadAtDirectory::open(dir.path()).unwrap()).unwrap();
        let searcher = index.reader().unwrap().searcher();
        let query = TermQuery::new(
            tantivy::Term::from_field_text(body, "privacy"),
            IndexRecordOption::Basic,
        );
        assert_eq!(searcher.search(&query, &Count).unwrap(), 500);
        let top = searcher
            .search(
                &query,
                &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
            )
            .unwrap();
        let doc: TantivyDocument = searcher.doc(top[0].1).unwrap();
        let text = doc.get_first(body).and_then(|v| v.as_str()).unwrap();
        assert!(text.starts_with("privacy law "), "{text}");

        // None of the index's files is mapped into this process.
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        let root = dir.path().to_string_lossy();
        assert!(
            !maps.lines().any(|l| l.contains(root.as_ref())),
            "an index file is memory-mapped"
        );
    }

    #[test]
    fn a_read_outside_the_file_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), b"0123456789").unwrap();
        let d = ReadAtDirectory::open(dir.path()).unwrap();
        let handle = d.get_file_handle(Path::new("f")).unwrap();
        assert_eq!(handle.read_bytes(2..5).unwrap().as_slice(), b"234");
        assert!(handle.read_bytes(8..12).is_err());
        assert!(matches!(
            d.get_file_handle(Path::new("missing")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
    }
}
