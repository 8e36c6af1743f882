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
/// 0600. Returns what to print: never the password unless interactive.
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
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path)?;
    writeln!(
        file,
        "Tài khoản quản trị / administrator: {username}\n\
         Mật khẩu dùng một lần / one-time password: {one_time_password}\n\
         Đổi mật khẩu ở lần đăng nhập đầu, rồi xóa tệp này. / Change it at first sign-in, then \
         delete this file."
    )?;
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
        // Never overwritten by a later start.
        assert!(hand_over(dir.path(), "admin", "OTHER", false).is_err());
        let shown = hand_over(dir.path(), "admin", "K7PQ-22ZX-M4", true).unwrap();
        assert!(matches!(shown, HandedOver::Shown(text) if text.contains("K7PQ-22ZX-M4")));
    }
}
