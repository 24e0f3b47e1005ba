//! The folders an export refuses, and what it leaves when it does: DIR and its
//! neighbours exactly as they were.

use feedvault_web::site::{SiteError, SiteOptions, export_site};

use crate::support::{Fixture, Item};
use crate::{read_tree, vault};

fn small() -> Fixture {
    Fixture::new("nyt", &[Item::new("zh-1", "中俄承诺加强合作", "<p>正文</p>")])
}

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn a_file_is_refused() {
    let fixture = small();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("site");
    std::fs::write(&file, "not a folder").unwrap();
    let err = export_site(vault(&fixture), &file, &SiteOptions::default()).unwrap_err();
    assert!(matches!(err, SiteError::Target { .. }), "{err:?}");
    assert!(err.to_string().contains("is a file"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
    assert_eq!(names(out.path()), ["site"], "nothing written beside it");
}

#[test]
fn a_symbolic_link_is_refused() {
    let fixture = small();
    let out = tempfile::tempdir().unwrap();
    let real = out.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let link = out.path().join("site");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let err = export_site(vault(&fixture), &link, &SiteOptions::default()).unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert_eq!(names(&real), Vec::<String>::new(), "nothing written through it");
    assert_eq!(names(out.path()), ["real", "site"]);
}

#[test]
fn a_folder_with_other_things_is_refused() {
    let fixture = small();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("public");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join("README.md"), "mine").unwrap();
    let before = read_tree(&dir);
    let err = export_site(vault(&fixture), &dir, &SiteOptions::default()).unwrap_err();
    assert!(matches!(err, SiteError::Target { .. }), "{err:?}");
    assert!(err.to_string().contains("not empty"), "{err}");
    assert!(read_tree(&dir) == before, "untouched");
    assert_eq!(names(out.path()), ["public"]);
}

#[test]
fn an_empty_folder_or_a_missing_one_is_written() {
    let fixture = small();
    let out = tempfile::tempdir().unwrap();
    let empty = out.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let report = export_site(vault(&fixture), &empty, &SiteOptions::default()).unwrap();
    assert!(report.pages >= 5, "{report:?}");
    assert!(empty.join("index.html").is_file());
    let nested = out.path().join("a/b/site");
    export_site(vault(&fixture), &nested, &SiteOptions::default()).unwrap();
    assert!(read_tree(&nested) == read_tree(&empty), "the same mirror");
    assert_eq!(names(out.path()), ["a", "empty"]);
}

/// A page the vault cannot render (an article file that is not one any more)
/// fails the export, and the earlier export stays exactly as it was.
#[test]
fn a_failed_export_leaves_the_earlier_one_whole() {
    let fixture = small();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("site");
    export_site(vault(&fixture), &dir, &SiteOptions::default()).unwrap();
    let before = read_tree(&dir);
    let article = crate::all_articles(&vault(&fixture)).remove(0);
    std::fs::write(fixture.root().join(&article), "not an article file\n").unwrap();
    let err = export_site(vault(&fixture), &dir, &SiteOptions::default()).unwrap_err();
    assert!(matches!(err, SiteError::Page { status: 500, .. }), "{err:?}");
    assert!(err.to_string().contains("/articles/nyt/"), "says which page: {err}");
    assert!(read_tree(&dir) == before, "the earlier export, untouched");
    assert_eq!(names(out.path()), ["site"], "no temporary folder left");
}

#[test]
fn a_bad_base_address_is_refused_before_anything_is_written() {
    let fixture = small();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("site");
    let options = SiteOptions { base_url: Some("example.org/news".into()), ..SiteOptions::default() };
    let err = export_site(vault(&fixture), &dir, &options).unwrap_err();
    assert!(matches!(err, SiteError::BaseUrl { .. }), "{err:?}");
    assert!(!dir.exists());
}

#[tokio::test]
async fn inside_a_runtime_the_blocking_call_says_to_use_the_async_one() {
    let fixture = small();
    let out = tempfile::tempdir().unwrap();
    let err = export_site(vault(&fixture), &out.path().join("site"), &SiteOptions::default()).unwrap_err();
    assert!(err.to_string().contains("export_site_async"), "{err}");
    let report =
        feedvault_web::site::export_site_async(vault(&fixture), &out.path().join("site"), &SiteOptions::default())
            .await
            .unwrap();
    assert!(report.pages > 0);
}
