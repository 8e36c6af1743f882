//! Handing the first administrator's one-time password to whoever installs the server, without
//! putting it in a log: on an interactive terminal it is shown; otherwise (a service whose
//! output goes to the journal) it is written once to a file only the service account can read,
//! and the log says where.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The file in the data folder that holds the password when it is not shown.
pub const FILE_NAME: &str = "first-admin-password.txt";

/// Where the password went.
#[derive(Debug, PartialEq, Eq)]
pub enum HandedOver {
    Shown(String),
    Written(PathBuf),
}

/// Shows the password (`interactive`) or writes it to `<data>/first-admin-password.txt`, mode
/// 0600. Returns what to print: never the password unless interactive. A file left by an earlier
/// installation in the same folder (its database since removed) is replaced: it names an account
/// that no longer exists, and keeping it would lose the one password that opens the new one.
pub fn hand_over(
    data: &Path,
    username: &str,
    one_time_password: &str,
    interactive: bool,
) -> std::io::Result<HandedOver> {
    if interactive {
        return Ok(HandedOver::Shown(format!(
            "Tài khoản quản trị / administrator: {username}\n\
             Mật khẩu dùng một lần / one-time password (shown once): {one_time_password}"
        )));
    }
    let path = data.join(FILE_NAME);
    // Written beside, then renamed over: the file is whole or absent, and never readable by others.
    let fresh = data.join(format!("{FILE_NAME}.new"));
    let _ = std::fs::remove_file(&fresh);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&fresh)?;
    writeln!(
        file,
        "Tài khoản quản trị / administrator: {username}\n\
         Mật khẩu dùng một lần / one-time password: {one_time_password}\n\
         Đổi mật khẩu ở lần đăng nhập đầu, rồi xóa tệp này. / Change it at first sign-in, then \
         delete this file."
    )?;
    file.sync_all()?;
    std::fs::rename(&fresh, &path)?;
    Ok(HandedOver::Written(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_a_terminal_the_password_goes_to_a_private_file_not_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let handed = hand_over(dir.path(), "admin", "K7PQ-22ZX-M4", false).unwrap();
        let HandedOver::Written(path) = handed else {
            panic!("not written: {handed:?}");
        };
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("K7PQ-22ZX-M4"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A fresh database in the same folder replaces a stale file, still private.
        hand_over(dir.path(), "admin", "OTHER-PASS-1", false).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("OTHER-PASS-1") && !text.contains("K7PQ-22ZX-M4"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let shown = hand_over(dir.path(), "admin", "K7PQ-22ZX-M4", true).unwrap();
        assert!(matches!(shown, HandedOver::Shown(text) if text.contains("K7PQ-22ZX-M4")));
    }
}
