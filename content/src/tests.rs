//! The parser's tests: good files load, each mistake is refused with its line and field.
use super::*;

const GOOD: &str = r#"
id = "demo"
organisation = "CAF"
title = "Un titre"
summary = "Un résumé."

[[steps]]
kind = "official_site"
title = "Allez sur le site"
url = "https://www.caf.fr"

[[steps]]
kind = "done"
title = "C'est fait"
text = "Bravo."
"#;

fn parse_demo(text: &str) -> Result<Procedure, ContentError> {
    parse(text, Path::new("content/procedures/demo.toml"))
}

fn refused(text: &str) -> ContentError {
    parse_demo(text).expect_err("should be refused")
}

#[test]
fn good_file_loads() {
    let p = parse_demo(GOOD).unwrap();
    assert_eq!(p.steps.len(), 2);
    assert_eq!(p.strings().count(), 6);
}

#[test]
fn errors_name_file_line_and_field() {
    let e = refused(&GOOD.replace("https://www.caf.fr", "http://www.caf.fr"));
    assert_eq!((e.line, e.field.as_str()), (10, "steps[0].url"));
    assert!(e.to_string().starts_with("content/procedures/demo.toml:10: steps[0].url: "), "{e}");

    let e = refused(&GOOD.replace("kind = \"done\"", "kind = \"finished\""));
    assert_eq!((e.line, e.field.as_str()), (13, "kind"), "{e}");

    let e = refused(&GOOD.replace("title = \"Un titre\"\n", ""));
    assert_eq!(e.field, "title", "{e}");

    let e = refused(&GOOD.replace("summary = \"Un résumé.\"", "summary = \"  \""));
    assert_eq!((e.line, e.field.as_str()), (5, "summary"));
}

#[test]
fn structure_rules() {
    // The last step must be done; a step nothing leads to is refused.
    let early_end = GOOD
        .replace("kind = \"official_site\"", "kind = \"done\"\ntext = \"x\"")
        .replace("url = \"https://www.caf.fr\"\n", "");
    let e = refused(&early_end);
    assert_eq!((e.line, e.field.as_str()), (12, "steps[1]"));
    let e = refused(&GOOD.replace("kind = \"done\"", "kind = \"info\""));
    assert_eq!(e.field, "steps[1].kind");
    // The id is the file's name.
    let e = parse(GOOD, Path::new("other.toml")).unwrap_err();
    assert_eq!((e.line, e.field.as_str()), (2, "id"));
    assert_eq!(refused(&GOOD.replace("\"demo\"", "\"-demo\"")).field, "id");
    // A url only where it belongs; unknown keys refused.
    let e = refused(&GOOD.replace("text = \"Bravo.\"", "text = \"Bravo.\"\nurl = \"https://caf.fr\""));
    assert_eq!(e.field, "steps[1].url");
    assert_eq!(refused(&GOOD.replace("summary", "sumary")).field, "sumary");
}

const BRANCHING: &str = r#"
id = "demo"
organisation = "CAF"
title = "Un titre"
summary = "Un résumé."

[[steps]]
kind = "question"
title = "Avez-vous un compte ?"
[[steps.choices]]
label = "Oui"
goto = "login"
[[steps.choices]]
label = "Non"
goto = "create"

[[steps]]
id = "create"
kind = "info"
title = "Créez un compte"
text = "Sur le site."
next = "login"

[[steps]]
id = "login"
kind = "info"
title = "Connectez-vous"
text = "Avec votre mot de passe."

[[steps]]
kind = "done"
title = "C'est fait"
text = "Bravo."
"#;

#[test]
fn questions_branch_and_every_step_is_reachable() {
    let p = parse_demo(BRANCHING).unwrap();
    assert_eq!(p.successors(0), [2, 1]);
    assert_eq!(p.successors(1), [2], "next jumps");
    assert_eq!(p.successors(3), Vec::<usize>::new(), "done ends");
    assert_eq!(p.steps_to_end(0), Some(3));
    assert_eq!(p.steps_to_end(1), Some(3));
    assert_eq!(p.longest_to_end(0), 4, "through create, then login");
    assert_eq!(p.longest_to_end(2), 2);
    assert!(p.strings().any(|s| s == "Non"), "answers are translated too");

    let e = refused(&BRANCHING.replace("goto = \"create\"", "goto = \"creat\""));
    assert_eq!((e.line, e.field.as_str()), (13, "steps[0].choices[1].goto"));
    let e = refused(&BRANCHING.replace("next = \"login\"", "next = \"nowhere\""));
    assert_eq!(e.field, "steps[1].next");
    // With one answer only, it is not a question any more.
    let one = BRANCHING.replace("[[steps.choices]]\nlabel = \"Non\"\ngoto = \"create\"\n", "");
    assert_eq!(refused(&one).field, "steps[0].choices");
    let e = refused(&BRANCHING.replace("id = \"create\"", "id = \"login\""));
    assert_eq!(e.field, "steps[2].id", "step ids are unique");
    let e = refused(&BRANCHING.replace("text = \"Bravo.\"", "text = \"Bravo.\"\nnext = \"login\""));
    assert_eq!(e.field, "steps[3].next");
    // A loop with no way out: "login" sends back to "create", which sends to "login".
    let trap = BRANCHING
        .replace("goto = \"create\"\n", "goto = \"create\"\n[[steps.choices]]\nlabel = \"Fin\"\ngoto = \"end\"\n")
        .replace("text = \"Avec votre mot de passe.\"", "text = \"Avec.\"\nnext = \"create\"")
        .replace("kind = \"done\"", "id = \"end\"\nkind = \"done\"");
    let e = refused(&trap);
    assert_eq!(e.field, "steps[1]", "{e}");
    assert!(e.message.contains("no way leads"), "{e}");
}

#[test]
fn a_missing_field_is_named_even_when_line_one_sets_another() {
    let e = refused(&GOOD.trim_start().replace("title = \"Un titre\"\n", ""));
    assert_eq!(e.field, "title", "{e}");
}

#[test]
fn only_official_https_addresses() {
    assert!(check_url("https://www.caf.fr/allocataires").is_ok());
    assert!(check_url("https://assure.ameli.fr").is_ok());
    assert!(check_url("https://impots.gouv.fr").is_ok());
    for bad in [
        "http://www.caf.fr",
        "https://caf.fr.evil.example",
        "https://evilcaf.fr",
        "https://evil.example\\.ameli.fr",
        "https://user@ameli.fr",
        "https://ameli.fr:8443/x",
        "https://améli.fr",
        " https://caf.fr",
    ] {
        assert!(check_url(bad).is_err(), "{bad} was accepted");
    }
}

#[test]
fn a_bad_file_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("demo.toml"), GOOD).unwrap();
    std::fs::write(dir.path().join("broken.toml"), "id = \"broken\"\ntitle = ").unwrap();
    std::fs::write(dir.path().join("twin.toml"), GOOD.replace("\"demo\"", "\"twin\"")).unwrap();
    let (good, bad) = load_dir(dir.path());
    assert_eq!(good.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["demo", "twin"]);
    assert_eq!(bad.len(), 1);
    assert!(bad[0].file.ends_with("broken.toml"));
    assert_eq!(bad[0].line, 2);
}

const WITH_PAGES: &str = r#"
[[steps.pages]]
url = "https://wwwd.caf.fr/wps/portal/caffr/login*"
text = "Vous êtes sur la page de connexion."

[[steps.pages]]
url = "https://*.caf.fr/*"
text = "Vous êtes sur le site de la CAF."
"#;

/// GOOD with `pages` added to its official_site step.
fn with_pages(pages: &str) -> String {
    GOOD.replace("url = \"https://www.caf.fr\"\n", &format!("url = \"https://www.caf.fr\"\n{pages}"))
}

#[test]
fn an_official_site_step_knows_its_pages_in_order() {
    let p = parse_demo(&with_pages(WITH_PAGES)).unwrap();
    let site = &p.steps[0];
    assert_eq!(site.page_at("https://wwwd.caf.fr/wps/portal/caffr/login?x=1"), Some(0));
    assert_eq!(site.page_at("https://www.caf.fr/allocataires"), Some(1), "the first that matches");
    assert_eq!(site.page_at("https://www.ameli.fr/"), None);
    assert!(p.strings().any(|s| s == "Vous êtes sur la page de connexion."), "page texts are translated");
}

#[test]
fn pages_are_checked_with_their_line_and_field() {
    let e = refused(&with_pages(&WITH_PAGES.replace("https://*.caf.fr/*", "https://www.example.org/*")));
    assert_eq!((e.line, e.field.as_str()), (16, "steps[0].pages[1].url"), "{e}");
    assert!(e.message.contains("official"), "{e}");
    let twice = WITH_PAGES.replace("https://*.caf.fr/*", "https://wwwd.caf.fr/wps/portal/caffr/login*");
    assert!(refused(&with_pages(&twice)).message.contains("twice"));
    let silent = WITH_PAGES.replace("text = \"Vous êtes sur le site de la CAF.\"", "text = \" \"");
    assert_eq!(refused(&with_pages(&silent)).field, "steps[0].pages[1].text");
    let on_done = GOOD.replace("text = \"Bravo.\"\n", &format!("text = \"Bravo.\"\n{WITH_PAGES}"));
    let e = refused(&on_done);
    assert_eq!(
        (e.field.as_str(), e.message.as_str()),
        ("steps[1].pages[0].url", "only official_site steps have pages")
    );
    assert!(refused(&with_pages(&WITH_PAGES.replace("text =", "texte ="))).message.contains("unknown field"));
}
