//! The user-facing text catalogue: one [`Texts`] per language, Vietnamese first.
//!
//! Views never hold literal sentences; they read a field of the current catalogue through
//! [`I18n`], which tracks the language signal so that switching language re-renders the text.
//! Which catalogue: [`I18n::texts`] for the shell, sign-in, the registry and what pages share;
//! [`I18n::screening`] for a child's screening pages; [`I18n::flags`] for urgent flags;
//! [`I18n::referrals`] for the referral network; [`I18n::report`] for the indicators;
//! [`I18n::imports`] for the import panel; [`audit`] for the audit log's words.
//! Domain labels (roles, facility types, validation messages) live with their types in `shared`,
//! because the server needs them too.

pub mod audit;
mod en;
pub mod flag;
pub mod import;
pub mod referral;
pub mod report;
pub mod screening;
mod vi;

use leptos::prelude::*;
use shared::lang::Lang;

const LANG_KEY: &str = "tam-an.lang";

/// An English count with its noun in the right number: "1 child", "2 children".
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Every sentence the app shows. Adding a field makes both catalogues fail to compile until
/// both languages have it, so no string is ever missing in one language.
pub struct Texts {
    pub app_name: &'static str,
    pub tagline: &'static str,
    pub switch_language: &'static str,
    pub switch_language_label: &'static str,
    pub loading: &'static str,
    /// A page's code could not be downloaded (first opened on a bad link).
    pub page_unavailable: &'static str,
    pub try_again: &'static str,
    pub network_error: &'static str,
    /// The device's own store failed (not the network).
    pub local_store_error: &'static str,
    /// The session ended because the user's facility was closed.
    pub facility_closed: &'static str,
    pub session_ended: &'static str,
    /// The page was reloaded offline: the device's data opens only with the password.
    pub store_locked: &'static str,
    /// This device's data could not be opened (the browser refused).
    pub store_unavailable: &'static str,
    /// Offline sign-in matched the password but this device's copy of the key does not open.
    pub store_locked_offline: &'static str,
    pub not_found: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub cancel: &'static str,
    pub create: &'static str,
    pub edit: &'static str,
    pub choose: &'static str,
    pub all: &'static str,
    pub active: &'static str,
    pub inactive: &'static str,
    pub status: &'static str,
    pub name: &'static str,
    /// An old commune searched for, and the commune it is part of now.
    pub former_commune: fn(&str, &str) -> String,
    pub province: &'static str,
    pub facility_code: &'static str,
    pub phone: &'static str,
    pub address: &'static str,
    pub search: &'static str,
    pub fix_fields: &'static str,
    // Sign-in and password.
    pub sign_in_title: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub signing_in: &'static str,
    pub sign_out: &'static str,
    pub change_password: &'static str,
    pub first_sign_in_notice: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub confirm_password: &'static str,
    pub passwords_differ: &'static str,
    pub password_hint: &'static str,
    pub password_changed: &'static str,
    // Shell and navigation.
    pub menu: &'static str,
    pub skip_to_content: &'static str,
    pub nav_home: &'static str,
    pub nav_referrals: &'static str,
    // Programme activities.
    pub activities_count: fn(usize, usize) -> String,
    pub nav_activities: &'static str,
    pub activities_title: &'static str,
    pub activities_intro: &'static str,
    pub no_activities: &'static str,
    pub record_activity: &'static str,
    pub activity_kind: &'static str,
    pub activity_held_on: &'static str,
    pub activity_title: &'static str,
    pub activity_participants: &'static str,
    pub activity_trained: &'static str,
    pub activity_note: &'static str,
    pub activity_void: &'static str,
    pub activity_void_reason: &'static str,
    pub activity_voided: &'static str,
    pub nav_indicators: &'static str,
    pub nav_directory: &'static str,
    pub nav_users: &'static str,
    pub nav_facilities: &'static str,
    pub nav_audit: &'static str,
    // Home.
    pub greeting: fn(&str) -> String,
    pub role: &'static str,
    pub workplace: &'static str,
    pub area: &'static str,
    pub role_intro: fn(shared::role::Role) -> &'static str,
    pub hotline_title: &'static str,
    pub hotline_text: &'static str,
    pub admin_summary: fn(usize, usize, usize) -> String,
    // Directory.
    pub directory_intro: &'static str,
    pub facility_type: &'static str,
    pub commune: &'static str,
    pub no_facilities: &'static str,
    // Users.
    pub add_user: &'static str,
    pub full_name: &'static str,
    pub facility: &'static str,
    pub last_sign_in: &'static str,
    pub never: &'static str,
    pub disable: &'static str,
    pub enable: &'static str,
    pub reset_password: &'static str,
    /// Lifts the sign-in waits others' wrong guesses put on an account.
    pub unlock: &'static str,
    pub unlocked: fn(&str) -> String,
    pub one_time_password_for: fn(&str) -> String,
    pub one_time_password_help: &'static str,
    pub must_change_badge: &'static str,
    // Facilities and areas.
    pub add_facility: &'static str,
    pub deactivate: &'static str,
    pub reactivate: &'static str,
    pub show_inactive: &'static str,
    pub areas_title: &'static str,
    pub add_area: &'static str,
    pub area_code: &'static str,
    pub area_level: &'static str,
    pub successor: &'static str,
    // Audit log.
    pub audit_intro: &'static str,
    pub when: &'static str,
    pub who: &'static str,
    pub from_address: &'static str,
    pub action: &'static str,
    pub record: &'static str,
    pub filter: &'static str,
    pub load_more: &'static str,
    pub no_entries: &'static str,
    // Child registry and sync.
    pub nav_children: &'static str,
    pub nav_sync: &'static str,
    pub children_intro: &'static str,
    pub register_child: &'static str,
    pub edit_child: &'static str,
    pub search_children: &'static str,
    pub children_count: fn(usize) -> String,
    pub no_children: &'static str,
    pub no_match: &'static str,
    pub date_of_birth: &'static str,
    pub sex: &'static str,
    pub ethnicity: &'static str,
    pub school_class: &'static str,
    pub guardian_name: &'static str,
    pub guardian_relation: &'static str,
    pub guardian_phone: &'static str,
    pub personal_id: &'static str,
    pub age: fn(i32) -> String,
    pub possible_duplicates: &'static str,
    pub save_anyway: &'static str,
    pub saved_locally: &'static str,
    pub child_not_found: &'static str,
    pub void_record: &'static str,
    pub void_reason: &'static str,
    pub voided: &'static str,
    pub back_to_list: &'static str,
    pub status_online: &'static str,
    pub status_offline: &'static str,
    pub status_syncing: &'static str,
    pub pending_changes: fn(usize) -> String,
    pub last_sync: fn(&str) -> String,
    pub never_synced: &'static str,
    pub sync_now: &'static str,
    pub receiving: fn(usize) -> String,
    pub storage_use: fn(f64, f64) -> String,
    pub storage_warning: &'static str,
    pub storage_persistent: &'static str,
    pub storage_not_persistent: &'static str,
    pub rejected_title: &'static str,
    pub conflicts_title: &'static str,
    /// (child, field, proposed, kept, by).
    pub conflict_text: fn(&str, &str, &str, &str, &str) -> String,
    pub reapply: &'static str,
    pub dismiss: &'static str,
    pub nothing_to_show: &'static str,
    pub unsynced_title: fn(usize) -> String,
    pub unsynced_text: &'static str,
    pub export_changes: &'static str,
    pub restore_title: &'static str,
    pub restore_text: &'static str,
    pub restore_choose: &'static str,
    pub restored_changes: fn(usize) -> String,
    pub not_pending_file: &'static str,
    /// (the account whose changes the file holds).
    pub pending_file_of: fn(&str) -> String,
    pub sign_out_anyway: &'static str,
    pub stay: &'static str,
    pub app_updated: &'static str,
    /// On a child's page: the personal id is registered at another facility too.
    pub registered_elsewhere: &'static str,
    /// The server speaks a newer version than this app: reload.
    pub server_newer: &'static str,
    pub reload: &'static str,
    pub offline_wrong_password: &'static str,
    pub last_run: fn(usize, f64, usize, f64) -> String,
    pub offline_unknown_user: &'static str,
}

impl Texts {
    pub fn of(lang: Lang) -> &'static Texts {
        match lang {
            Lang::Vi => &vi::TEXTS,
            Lang::En => &en::TEXTS,
        }
    }
}

/// The current language, shared through context. `Copy`, so closures capture it freely.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Lang>);

impl I18n {
    /// The current catalogue; reading it inside a closure makes that closure follow language changes.
    pub fn texts(self) -> &'static Texts {
        Texts::of(self.0.get())
    }

    /// The catalogue of a child's screening pages (consent, screening, the safety pathway, and the
    /// sessions, circumstances and care arrangements of `pages::screening::care`), read like
    /// [`I18n::texts`].
    pub fn screening(self) -> &'static screening::ScreeningTexts {
        screening::ScreeningTexts::of(self.0.get())
    }

    /// The urgent flags' catalogue, read like [`I18n::texts`].
    pub fn flags(self) -> &'static flag::FlagTexts {
        flag::FlagTexts::of(self.0.get())
    }

    /// The referral pages' catalogue, read like [`I18n::texts`].
    pub fn referrals(self) -> &'static referral::ReferralTexts {
        referral::ReferralTexts::of(self.0.get())
    }

    /// The import panel's catalogue, read like [`I18n::texts`].
    pub fn imports(self) -> &'static import::ImportTexts {
        import::ImportTexts::of(self.0.get())
    }

    /// The indicators pages' catalogue, read like [`I18n::texts`].
    pub fn report(self) -> &'static report::ReportTexts {
        report::ReportTexts::of(self.0.get())
    }

    pub fn lang(self) -> Lang {
        self.0.get()
    }

    /// The language without following its changes (for views built once per language).
    pub fn lang_untracked(self) -> Lang {
        self.0.get_untracked()
    }

    /// Switches language, remembers the choice on this device and updates `<html lang>`.
    pub fn set(self, lang: Lang) {
        self.0.set(lang);
        if let Ok(Some(storage)) = window().local_storage() {
            let _ = storage.set_item(LANG_KEY, lang.tag());
        }
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.tag());
        }
    }

    pub fn toggle(self) {
        self.set(match self.0.get_untracked() {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        });
    }
}

/// Creates the language signal from the remembered choice (Vietnamese when there is none).
pub fn provide_i18n() -> I18n {
    let remembered = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|storage| storage.get_item(LANG_KEY).ok().flatten())
        .map(|tag| Lang::from_tag(&tag))
        .unwrap_or_default();
    let i18n = I18n(RwSignal::new(remembered));
    i18n.set(remembered);
    provide_context(i18n);
    i18n
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_counts_agree_in_number() {
        let en = Texts::of(Lang::En);
        assert_eq!((en.children_count)(1), "1 child");
        assert_eq!((en.children_count)(0), "0 children");
        assert_eq!((en.children_count)(2), "2 children");
        assert_eq!((en.age)(1), "1 year");
        assert_eq!((en.pending_changes)(1), "1 change waiting");
        assert_eq!(
            (en.unsynced_title)(1),
            "1 change has not reached the server"
        );
        assert_eq!(
            (en.admin_summary)(1, 2, 1),
            "1 user · 2 facilities · 1 area"
        );
        let screening = screening::ScreeningTexts::of(Lang::En);
        assert_eq!((screening.unanswered)(1), "1 question not answered.");
        assert_eq!((screening.unanswered)(3), "3 questions not answered.");
        let imports = import::ImportTexts::of(Lang::En);
        assert_eq!(
            (imports.will)(2, 0, 1),
            "Will create 2, update 0, skip 1 row."
        );
    }
}
