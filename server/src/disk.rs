//! Free space in the data folder: a warning before the disk fills (a full disk refuses every
//! change with 503 `storage_full`; this says so while there is still time to act).

use std::path::Path;

/// Below this much free space (or 5% of the disk, whichever is larger) the server warns.
pub const LOW_BYTES: u64 = 1 << 30;

/// Bytes free to this process and the disk's size, where the system says.
pub fn space(folder: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        let stats = rustix::fs::statvfs(folder).ok()?;
        let unit = stats.f_frsize;
        Some((stats.f_bavail * unit, stats.f_blocks * unit))
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        None
    }
}

/// Whether free space is low: under [`LOW_BYTES`] or under 5% of the disk.
pub fn is_low(free: u64, total: u64) -> bool {
    free < LOW_BYTES.max(total / 20)
}

/// `Some(free bytes)` when the folder's disk is nearly full.
pub fn low_space(folder: &Path) -> Option<u64> {
    let (free, total) = space(folder)?;
    is_low(free, total).then_some(free)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_means_under_a_gigabyte_or_five_percent() {
        const GB: u64 = 1 << 30;
        assert!(is_low(GB / 2, 10 * GB));
        assert!(!is_low(2 * GB, 10 * GB));
        // On a large disk, 5% is the line.
        assert!(is_low(4 * GB, 100 * GB));
        assert!(!is_low(6 * GB, 100 * GB));
        // The folder the tests run in has a disk, and its size is known.
        let (free, total) = space(Path::new(".")).expect("statvfs");
        assert!(total > 0 && free <= total);
    }
}
