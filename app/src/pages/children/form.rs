//! Registering a child, or editing one: the same rules as the server, checked as you save, and
//! likely duplicates shown before a new record is made.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use shared::child::{likely_duplicates, Child, ChildDraft, GuardianRelation, Sex};
use shared::ethnicity::ETHNIC_GROUPS;
use shared::lang::format_date;
use shared::sync::RecordType;
use uuid::Uuid;

use super::today;
use crate::api::use_api;
use crate::components::form::{Feedback, Field, Notice, SelectField};
use crate::directory::communes;
use crate::i18n::use_i18n;
use crate::records::child::child_of;
use crate::session::use_session;
use crate::sync::use_sync;

#[component]
pub fn ChildFormPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    let id = params
        .with_untracked(|params| params.get("id"))
        .and_then(|id| Uuid::parse_str(&id).ok());
    move || {
        if !sync.ready.get() {
            return view! { <p class="page muted">{i18n.texts().loading}</p> }.into_any();
        }
        match id {
            None => view! { <ChildForm id=Uuid::now_v7() existing=None/> }.into_any(),
            Some(id) => {
                let existing = sync.records.with_untracked(|records| {
                    records.iter().find(|r| r.id == id).and_then(child_of)
                });
                match existing {
                    Some(child) => view! { <ChildForm id=id existing=Some(child)/> }.into_any(),
                    None => {
                        view! { <p class="page notice error">{i18n.texts().child_not_found}</p> }
                            .into_any()
                    }
                }
            }
        }
    }
}

/// The form's fields as signals, from the draft it opens with.
#[derive(Clone, Copy)]
struct Inputs {
    full_name: RwSignal<String>,
    date_of_birth: RwSignal<String>,
    sex: RwSignal<String>,
    ethnicity: RwSignal<String>,
    commune_id: RwSignal<String>,
    school_class: RwSignal<String>,
    guardian_name: RwSignal<String>,
    guardian_relation: RwSignal<String>,
    guardian_phone: RwSignal<String>,
    personal_id: RwSignal<String>,
}

impl Inputs {
    fn new(start: ChildDraft) -> Self {
        Inputs {
            full_name: RwSignal::new(start.full_name),
            date_of_birth: RwSignal::new(start.date_of_birth),
            sex: RwSignal::new(start.sex),
            ethnicity: RwSignal::new(start.ethnicity),
            commune_id: RwSignal::new(start.commune_id),
            school_class: RwSignal::new(start.school_class),
            guardian_name: RwSignal::new(start.guardian_name),
            guardian_relation: RwSignal::new(start.guardian_relation),
            guardian_phone: RwSignal::new(start.guardian_phone),
            personal_id: RwSignal::new(start.personal_id),
        }
    }

    /// The draft as typed, with the fields the form does not edit carried over from `kept`.
    fn draft(self, kept: &ChildDraft) -> ChildDraft {
        ChildDraft {
            full_name: self.full_name.get_untracked(),
            date_of_birth: self.date_of_birth.get_untracked(),
            sex: self.sex.get_untracked(),
            ethnicity: self.ethnicity.get_untracked(),
            commune_id: self.commune_id.get_untracked(),
            school_class: self.school_class.get_untracked(),
            guardian_name: self.guardian_name.get_untracked(),
            guardian_relation: self.guardian_relation.get_untracked(),
            guardian_phone: self.guardian_phone.get_untracked(),
            personal_id: self.personal_id.get_untracked(),
            pupil_code: kept.pupil_code.clone(),
            former_address: kept.former_address.clone(),
        }
    }
}

/// What the form does not edit but an edit must keep: voiding, the server's registration stamps,
/// and an import's pupil code and old address.
#[derive(Clone, Default)]
struct Kept {
    draft: ChildDraft,
    voided_reason: Option<String>,
    registered_on: Option<chrono::NaiveDate>,
    registered_elsewhere: bool,
}

impl Kept {
    fn of(existing: Option<&Child>) -> Kept {
        let Some(child) = existing else {
            return Kept::default();
        };
        let start = ChildDraft::from_child(child);
        Kept {
            draft: ChildDraft {
                pupil_code: start.pupil_code,
                former_address: start.former_address,
                ..ChildDraft::default()
            },
            voided_reason: child.voided_reason.clone(),
            registered_on: child.registered_on,
            registered_elsewhere: child.registered_elsewhere,
        }
    }

    fn onto(&self, mut child: Child) -> Child {
        child.voided_reason = self.voided_reason.clone();
        child.registered_on = self.registered_on;
        child.registered_elsewhere = self.registered_elsewhere;
        child
    }
}

/// The choices of the form's select fields, in the user's language.
type Options = Signal<Vec<(String, String)>>;

fn choices(i18n: crate::i18n::I18n, areas: LocalResource<Vec<shared::api::Area>>) -> [Options; 4] {
    let sexes = Signal::derive(move || {
        Sex::ALL
            .iter()
            .map(|s| (s.code().to_string(), s.label(i18n.lang()).to_string()))
            .collect()
    });
    let relations = Signal::derive(move || {
        GuardianRelation::ALL
            .iter()
            .map(|r| (r.code().to_string(), r.label(i18n.lang()).to_string()))
            .collect()
    });
    let groups = Signal::derive(move || {
        let lang = i18n.lang();
        ETHNIC_GROUPS
            .iter()
            .map(|(slug, _)| {
                let label = shared::ethnicity::label(slug, lang).unwrap_or_default();
                (slug.to_string(), label)
            })
            .collect()
    });
    let communes = Signal::derive(move || {
        areas
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|area| (area.id.to_string(), area.name))
            .collect()
    });
    [sexes, relations, groups, communes]
}

#[component]
fn ChildForm(id: Uuid, existing: Option<Child>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let api = use_api();
    let session = use_session();
    let navigate = use_navigate();
    let is_new = existing.is_none();
    let kept = Kept::of(existing.as_ref());
    let inputs = Inputs::new(
        existing
            .as_ref()
            .map(ChildDraft::from_child)
            .unwrap_or_default(),
    );
    let feedback = Feedback::default();
    let duplicates = RwSignal::new(Vec::<(Uuid, Child)>::new());
    let confirmed = RwSignal::new(false);
    let areas = LocalResource::new(move || communes(api));
    let [sexes, relations, groups, commune_options] = choices(i18n, areas);

    let save = move || {
        let child = match inputs.draft(&kept.draft).parse(today()) {
            Ok(child) => kept.onto(child),
            Err(problems) => return feedback.invalid(problems.messages(i18n.lang()), i18n),
        };
        let others: Vec<(Uuid, Child)> = sync.records.with_untracked(|records| {
            records
                .iter()
                .filter_map(|record| child_of(record).map(|child| (record.id, child)))
                .collect()
        });
        let found = likely_duplicates(
            id,
            &child,
            others.iter().map(|(other, child)| (*other, child)),
        );
        if is_new && !found.is_empty() && !confirmed.get_untracked() {
            duplicates.set(
                others
                    .into_iter()
                    .filter(|(other, _)| found.contains(other))
                    .collect(),
            );
            return;
        }
        let Some(facility_id) = session.user_untracked().and_then(|user| user.facility_id) else {
            return feedback
                .message
                .set(Some((true, i18n.texts().child_not_found.to_string())));
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match sync
                .save(RecordType::Child, id, facility_id, child.to_fields())
                .await
            {
                Ok(_) => navigate(&format!("/children/{id}?saved=1"), Default::default()),
                Err(error) => feedback.message.set(Some((true, error.0))),
            }
        });
    };
    let save_on_submit = save.clone();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        save_on_submit();
    };
    let Inputs {
        full_name,
        date_of_birth,
        sex,
        ethnicity,
        commune_id,
        school_class,
        guardian_name,
        guardian_relation,
        guardian_phone,
        personal_id,
    } = inputs;

    view! {
        <section class="page narrow-wide">
            <h1>{move || if is_new { i18n.texts().register_child } else { i18n.texts().edit_child }}</h1>
            <form autocomplete="off" on:submit=submit novalidate=true class="card">
                <Notice message=feedback.message/>
                <div class="form-grid">
                    <Field name="full_name" label=|t| t.full_name value=full_name errors=feedback.errors required=true/>
                    <Field name="date_of_birth" label=|t| t.date_of_birth value=date_of_birth errors=feedback.errors required=true/>
                    <SelectField name="sex" label=|t| t.sex value=sex errors=feedback.errors options=sexes placeholder=|t| t.choose/>
                    <SelectField name="ethnicity" label=|t| t.ethnicity value=ethnicity errors=feedback.errors options=groups placeholder=|t| t.choose/>
                    <SelectField name="commune_id" label=|t| t.commune value=commune_id errors=feedback.errors options=commune_options placeholder=|t| t.choose/>
                    <Field name="school_class" label=|t| t.school_class value=school_class errors=feedback.errors/>
                    <Field name="guardian_name" label=|t| t.guardian_name value=guardian_name errors=feedback.errors required=true/>
                    <SelectField name="guardian_relation" label=|t| t.guardian_relation value=guardian_relation errors=feedback.errors
                        options=relations placeholder=|t| t.choose/>
                    <Field name="guardian_phone" label=|t| t.guardian_phone value=guardian_phone errors=feedback.errors input_type="tel"/>
                    <Field name="personal_id" label=|t| t.personal_id value=personal_id errors=feedback.errors/>
                </div>
                <Show when=move || !duplicates.with(Vec::is_empty)>
                    <div class="notice info" role="alert" id="duplicate-warning">
                        <p>{move || i18n.texts().possible_duplicates}</p>
                        <ul>
                            {move || duplicates.get().into_iter().map(|(other, child)| view! {
                                <li><a href=format!("/children/{other}")>{child.full_name.clone()}</a>
                                    " · " {format_date(child.date_of_birth)} {child.school_class.clone().map(|c| format!(" · {c}"))}</li>
                            }).collect_view()}
                        </ul>
                        <button type="button" class="button secondary small" id="save-anyway"
                            on:click={let save = save.clone(); move |_| { confirmed.set(true); save(); }}>
                            {move || i18n.texts().save_anyway}
                        </button>
                    </div>
                </Show>
                <div class="form-actions">
                    <button type="submit" class="button primary" id="save-child">{move || i18n.texts().save}</button>
                    <a class="button secondary" href="/children">{move || i18n.texts().cancel}</a>
                </div>
            </form>
        </section>
    }
}
