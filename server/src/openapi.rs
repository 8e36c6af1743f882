//! The OpenAPI description of the API, generated from the handlers (`GET /api/openapi.json`).
//! Every new handler is listed here; a test checks that each route of the router is described.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Tâm An API", description = "Child mental-health screening and referral (Decision 1591/QĐ-TTg)."),
    paths(
        crate::health::health,
        crate::auth::login,
        crate::auth::logout,
        crate::auth::me,
        crate::auth::change_password,
        crate::auth::vault::share,
        crate::auth::vault::erase,
        crate::directory::list_areas,
        crate::directory::create_area,
        crate::directory::update_area,
        crate::directory::list_facilities,
        crate::directory::get_facility,
        crate::directory::create_facility,
        crate::directory::update_facility,
        crate::directory::official::list_official,
        crate::directory::official::load_official,
        crate::directory::official::resolve,
        crate::import::import,
        crate::import::template::template,
        crate::users::list_users,
        crate::users::create_user,
        crate::users::update_user,
        crate::users::reset_password,
        crate::users::unlock,
        crate::audit::list,
        crate::sync::push::push,
        crate::sync::pull::pull,
        crate::instruments::list,
        crate::instruments::score,
        crate::slips::check,
        crate::indicators::report,
        crate::indicators::rows,
        crate::indicators::export::export,
        crate::exchange::fhir::metadata,
        crate::exchange::fhir::search,
        crate::exchange::fhir::read_one,
        crate::exchange::fhir::bulk::everything,
        crate::exchange::fhir::bulk::export,
        crate::exchange::fhir::bulk::export_page,
        crate::reports::submit,
        crate::reports::list,
        crate::reports::frozen,
        crate::exchange::adx::adx,
        crate::exchange::adx::dhis2_json,
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    document.info.version = env!("CARGO_PKG_VERSION").into();
    document
}
