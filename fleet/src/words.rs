//! The agent's codes in the words of the console: devices, their states, colours, and
//! numbers with a decimal comma, as French readers expect.

pub fn device(code: &str) -> &str {
    match code {
        "printer" => "Imprimante",
        "scanner" => "Scanner",
        "gpio" => "Bouton et voyant",
        other => other,
    }
}

pub fn state(code: &str) -> &str {
    match code {
        "ready" => "prêt",
        "media_empty" => "plus de papier",
        "media_jam" => "bourrage papier",
        "toner_empty" => "plus de toner",
        "cover_open" => "capot ouvert",
        "offline" => "arrêtée",
        "not_accepting" => "refuse les travaux",
        "unreachable" => "injoignable",
        "missing" => "absent",
        "not_supported_yet" => "pas encore pris en charge",
        "media_low" => "papier bas",
        "toner_low" => "toner bas",
        "waste_almost_full" => "bac de récupération presque plein",
        other => other,
    }
}

pub fn colour(code: &str) -> &str {
    match code {
        "black" => "noir",
        "cyan" => "cyan",
        "magenta" => "magenta",
        "yellow" => "jaune",
        other => other,
    }
}

pub fn supply(code: &str) -> &str {
    match code {
        "toner" => "toner",
        "ink" => "encre",
        "wasteToner" => "toner usagé",
        other => other,
    }
}

pub fn language(code: &str) -> &str {
    match code {
        "fr" => "Français",
        "ar" => "Arabe",
        "en" => "Anglais",
        "es" => "Espagnol",
        "pt" => "Portugais",
        "tr" => "Turc",
        other => other,
    }
}

/// `18,6`: one decimal, with a comma.
pub fn decimal(v: f64) -> String {
    format!("{v:.1}").replace('.', ",")
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_read_as_french() {
        assert_eq!(super::state("media_empty"), "plus de papier");
        assert_eq!(super::state("something_new"), "something_new");
        assert_eq!(super::decimal(18.64), "18,6");
    }
}
