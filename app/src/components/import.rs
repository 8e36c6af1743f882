//! The import panel: pick an `.xlsx` or CSV file, preview what each row will do (the server's
//! rehearsal), then import. The file stays in memory until imported, so a dropped connection is
//! retried with the same file; importing twice creates nothing new (the server matches rows).
//! New users' one-time passwords are shown once, to download or print.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::import::{ImportKind, ImportReport, OneTimePassword, RowOutcome};
use wasm_bindgen::JsCast;

use crate::api::{use_api, ApiFailure};
use crate::i18n::use_i18n;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The chosen file: its name and bytes.
#[derive(Clone)]
struct Chosen {
    name: String,
    bytes: Vec<u8>,
}

#[component]
pub fn ImportPanel(kind: ImportKind, on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let code = kind.code();
    let chosen = RwSignal::new(None::<Chosen>);
    let report = RwSignal::new(None::<ImportReport>);
    let passwords = RwSignal::new(Vec::<OneTimePassword>::new());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);

    let pick = move |event: leptos::ev::Event| {
        report.set(None);
        failure.set(None);
        let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            chosen.set(None);
            return;
        };
        spawn_local(async move {
            let name = file.name();
            if let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                chosen.set(Some(Chosen { name, bytes }));
            }
        });
    };

    let send = move |dry_run: bool| {
        let Some(file) = chosen.get_untracked() else {
            failure.set(Some(i18n.imports().choose_file.to_string()));
            return;
        };
        busy.set(true);
        failure.set(None);
        spawn_local(async move {
            let content_type = if file.name.to_lowercase().ends_with(".csv") {
                "text/csv"
            } else {
                XLSX
            };
            let path = format!("/api/import/{code}?dry_run={dry_run}");
            let body = js_sys::Uint8Array::from(file.bytes.as_slice());
            match api.upload::<ImportReport>(&path, &body, content_type).await {
                Ok(mut answer) => {
                    if !dry_run {
                        passwords.set(std::mem::take(&mut answer.passwords));
                        on_done.run(());
                    }
                    report.set(Some(answer));
                }
                Err(ApiFailure::Unreachable) => {
                    failure.set(Some(i18n.imports().offline.to_string()))
                }
                Err(refused) => {
                    let detail = refused.fields().into_values().collect::<Vec<_>>().join(" ");
                    let message = refused.message(i18n);
                    failure.set(Some(if detail.is_empty() {
                        message
                    } else {
                        format!("{message} {detail}")
                    }));
                }
            }
            busy.set(false);
        });
    };

    let template = move |_| {
        spawn_local(async move {
            let path = format!("/api/import/{code}/template");
            if let Err(refused) = api.download(&path, &format!("mau-nhap-{code}.xlsx")).await {
                failure.set(Some(refused.message(i18n)));
            }
        });
    };

    let can_apply = move || {
        !busy.get()
            && report.with(|r| {
                r.as_ref()
                    .is_some_and(|r| r.dry_run && r.created + r.updated > 0)
            })
    };

    view! {
        <details class="card import-panel" id=format!("import-{code}")>
            <summary id=format!("open-import-{code}")>{move || (i18n.imports().open)(kind)}</summary>
            <p class="muted">{move || (i18n.imports().intro)(kind)}</p>
            <p>
                <button type="button" class="link-button" id=format!("import-template-{code}") on:click=template>
                    {move || i18n.imports().template}
                </button>
            </p>
            <label class="field">
                <span>{move || i18n.imports().file}</span>
                <input type="file" id=format!("import-file-{code}") accept=".xlsx,.csv,text/csv" on:change=pick/>
            </label>
            <div class="form-actions">
                <button type="button" class="button secondary" id=format!("import-preview-{code}")
                    prop:disabled=move || busy.get() || chosen.with(Option::is_none) on:click=move |_| send(true)>
                    {move || i18n.imports().preview}
                </button>
                <button type="button" class="button primary" id=format!("import-apply-{code}")
                    prop:disabled=move || !can_apply() on:click=move |_| send(false)>
                    {move || i18n.imports().apply}
                </button>
            </div>
            <Show when=move || busy.get()>
                <p class="import-progress" role="status">
                    <progress aria-label=move || i18n.imports().working></progress>
                    " " {move || i18n.imports().working}
                </p>
            </Show>
            {move || failure.get().map(|message| view! { <p class="notice error" role="alert">{message}</p> })}
            {move || report.get().map(|report| view! { <ImportReportView report=report/> })}
            <Passwords passwords=passwords/>
        </details>
    }
}

#[component]
fn ImportReportView(report: ImportReport) -> impl IntoView {
    let i18n = use_i18n();
    let code = report.kind.code();
    let preview = report.dry_run;
    let (created, updated, skipped) = (report.created, report.updated, report.skipped);
    let summary = move || {
        if preview {
            (i18n.imports().will)(created, updated, skipped)
        } else {
            (i18n.imports().done)(created, updated, skipped)
        }
    };
    let rows = report
        .rows
        .into_iter()
        .map(|row| {
            let class = match row.outcome {
                RowOutcome::Create => "badge ok",
                RowOutcome::Update => "badge info",
                RowOutcome::Skip if row.problems.is_empty() => "badge",
                RowOutcome::Skip => "badge warn",
            };
            let said = row
                .problems
                .iter()
                .chain(&row.notes)
                .map(|p| view! { <li><strong>{p.column.clone()}</strong>": " {p.message.clone()}</li> })
                .collect_view();
            let outcome = row.outcome;
            view! {
                <tr>
                    <td>{row.row}</td>
                    <td><span class=class>{move || (i18n.imports().outcome)(outcome, preview)}</span></td>
                    <td>{row.label}</td>
                    <td><ul class="plain">{said}</ul></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="notice" role="status" id=format!("import-summary-{code}")>{summary}</p>
        <div class="table-wrap" tabindex="0">
            <table id=format!("import-rows-{code}")>
                <thead><tr>
                    <th>{move || i18n.imports().row}</th>
                    <th>{move || i18n.texts().status}</th>
                    <th>{move || i18n.imports().record}</th>
                    <th>{move || i18n.imports().problems}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// New accounts' one-time passwords, held only in this page's memory.
#[component]
fn Passwords(passwords: RwSignal<Vec<OneTimePassword>>) -> impl IntoView {
    let i18n = use_i18n();
    let download = move |_| {
        let mut text = String::from("\u{feff}username,full_name,one_time_password\r\n");
        for p in passwords.get_untracked() {
            let cells =
                [p.username, p.full_name, p.one_time_password].map(|cell| shared::csv::cell(&cell));
            text.push_str(&cells.join(","));
            text.push_str("\r\n");
        }
        crate::files::save_text("mat-khau-mot-lan.csv", &text, "text/csv;charset=utf-8");
    };
    let print = move |_| {
        let _ = window().print();
    };
    view! {
        <Show when=move || passwords.with(|p| !p.is_empty())>
            <div class="card passwords" id="import-passwords">
                <h3>{move || i18n.imports().passwords_title}</h3>
                <p class="muted">{move || i18n.imports().passwords_note}</p>
                <table>
                    <thead><tr>
                        <th>{move || i18n.texts().username}</th>
                        <th>{move || i18n.texts().name}</th>
                        <th>{move || i18n.texts().password}</th>
                    </tr></thead>
                    <tbody>
                        {move || passwords.get().into_iter().map(|p| view! {
                            <tr><td>{p.username}</td><td>{p.full_name}</td><td><code>{p.one_time_password}</code></td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <div class="form-actions">
                    <button type="button" class="button secondary" on:click=download>{move || i18n.imports().passwords_download}</button>
                    <button type="button" class="button secondary" on:click=print>{move || i18n.imports().print}</button>
                </div>
            </div>
        </Show>
    }
}
