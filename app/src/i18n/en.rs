use shared::role::Role;

use super::Texts;

pub static TEXTS: Texts = Texts {
    app_name: "Tâm An",
    tagline: "Child mental-health care",
    switch_language: "Tiếng Việt",
    switch_language_label: "Chuyển sang tiếng Việt",
    loading: "Loading…",
    network_error: "Cannot reach the server. Please check the connection and try again.",
    session_ended: "Your session has ended. Please sign in again.",
    not_found: "This page does not exist.",
    save: "Save",
    saved: "Saved.",
    cancel: "Cancel",
    create: "Create",
    edit: "Edit",
    choose: "— Choose —",
    all: "All",
    active: "Active",
    inactive: "Inactive",
    status: "Status",
    name: "Name",
    phone: "Phone",
    address: "Address",
    search: "Search by name",
    fix_fields: "Please correct the marked fields.",
    sign_in_title: "Sign in",
    username: "Username",
    password: "Password",
    sign_in: "Sign in",
    signing_in: "Signing in…",
    sign_out: "Sign out",
    change_password: "Change password",
    first_sign_in_notice:
        "You are using a temporary password. Please choose a new one before you continue.",
    current_password: "Current password",
    new_password: "New password",
    confirm_password: "Repeat the new password",
    passwords_differ: "The passwords do not match.",
    password_hint: "At least 8 characters; not only digits.",
    password_changed: "Password changed. Other devices have been signed out.",
    menu: "Menu",
    skip_to_content: "Skip to main content",
    nav_home: "Home",
    nav_directory: "Facility directory",
    nav_users: "Users",
    nav_facilities: "Facilities and areas",
    nav_audit: "Audit log",
    greeting: |name| format!("Hello, {name}"),
    role: "Role",
    workplace: "Workplace",
    area: "Area",
    role_intro: |role| match role {
        Role::Counsellor => {
            "Register pupils, screen, record consent, counsel and refer when needed."
        }
        Role::HealthWorker => {
            "Screen, receive and handle referrals, refer onward and send feedback."
        }
        Role::Clinician => {
            "Receive referrals, record visits and outcomes, send feedback to the sender."
        }
        Role::SocialWorker => {
            "Follow children in special circumstances and orphans, record alternative care, refer."
        }
        Role::Officer => "Follow the programme's indicators and prepare the area's annual report.",
        Role::Admin => "Manage the facility directory, areas, users and roles.",
    },
    hotline_title: "National child-protection hotline 111",
    hotline_text: "Free, 24/7. Call at once when a child is in danger, abused or exploited.",
    admin_summary: |users, facilities, areas| {
        format!("{users} users · {facilities} facilities · {areas} areas")
    },
    directory_intro: "The facilities in the province's care and referral network.",
    facility_type: "Facility type",
    commune: "Commune/ward",
    no_facilities: "No facility matches.",
    add_user: "Add user",
    full_name: "Full name",
    facility: "Facility",
    last_sign_in: "Last sign-in",
    never: "Never",
    disable: "Disable",
    enable: "Enable",
    reset_password: "Reset password",
    one_time_password_for: |username| format!("One-time password for {username}:"),
    one_time_password_help:
        "Hand it over in person. It is shown only once and must be changed at the first sign-in.",
    must_change_badge: "Password change pending",
    add_facility: "Add facility",
    deactivate: "Deactivate",
    reactivate: "Reactivate",
    show_inactive: "Show inactive facilities too",
    areas_title: "Areas",
    add_area: "Add area",
    area_code: "Administrative code",
    area_level: "Level",
    successor: "Now part of commune/ward",
    audit_intro: "Who did what, to which record, when and from where.",
    when: "When",
    who: "Who",
    from_address: "From address",
    action: "Action",
    record: "Record",
    filter: "Filter",
    load_more: "Load more",
    no_entries: "No entries.",
};
