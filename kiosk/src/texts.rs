//! Every fixed string of the kiosk's screens, in French (the source language), written
//! plainly: short sentences, one idea each (FALC). Translations are looked up by these
//! exact texts in `content/po/<lang>.po`; `ALL` lets a test check that none is missing.
//! `{n}` and `{total}` are filled in at run time and must stay in every translation.

pub const ATTRACT: &str = "Touchez l'écran pour commencer";
pub const LANGUAGE_TITLE: &str = "Choisissez votre langue";
pub const HOME_TITLE: &str = "Que voulez-vous faire ?";
pub const HOME_SPOKEN: &str = "Touchez la démarche que vous voulez faire.";
pub const NEXT: &str = "Suivant";
pub const BACK: &str = "Retour";
pub const FINISH: &str = "J'ai fini";
pub const STOP: &str = "Arrêter et tout effacer";
pub const LISTEN: &str = "Écouter encore";
pub const READ_ON: &str = "Lire la suite";
pub const STEP_PROGRESS: &str = "Étape {n} sur {total}";
pub const SITE_ADDRESS: &str = "Allez sur ce site :";
pub const QR_HINT: &str = "Chez vous, visez ce code avec votre téléphone. Il ouvre le même site.";
pub const SITE_PASSWORD: &str = "Vous tapez vous-même votre mot de passe. Personne d'autre ne doit le voir.";
pub const CHECKLIST_HINT: &str = "Vérifiez que vous avez :";
pub const STOP_QUESTION: &str = "Voulez-vous vraiment arrêter ?";
pub const STOP_EXPLAIN: &str = "Tout ce que vous avez fait ici sera effacé.";
pub const STOP_YES: &str = "Oui, tout effacer";
pub const STOP_NO: &str = "Non, continuer";
pub const WAIT: &str = "Un instant, s'il vous plaît.";
pub const END_TITLE: &str = "C'est fini. Vos documents sont effacés.";
pub const END_SCANS: &str = "Documents scannés effacés : {n}";
pub const END_PRINTS: &str = "Impressions effacées : {n}";
pub const END_IMPORTS: &str = "Fichiers apportés effacés : {n}";
pub const END_OTHER: &str = "Autres fichiers effacés : {n}";
pub const END_NOTHING_LEFT: &str = "Rien de vous ne reste sur cette borne.";
pub const END_NOT_VERIFIED: &str = "L'effacement n'est pas sûr. Prévenez l'accueil, s'il vous plaît.";
pub const END_BUTTON: &str = "Retour au début";
pub const OUT_OF_SERVICE_TITLE: &str = "Cette borne ne marche pas pour le moment.";
pub const OUT_OF_SERVICE_TEXT: &str =
    "Elle essaie de repartir toute seule. Vous pouvez demander de l'aide à l'accueil.";
pub const START_FAILED: &str = "La borne n'a pas pu commencer. Réessayez dans un moment.";
pub const LANGUAGE_BUTTON: &str = "Langue";
pub const SIZE_BIGGER: &str = "Agrandir le texte";
pub const SIZE_RESET: &str = "Texte normal";
pub const CONTRAST_ON: &str = "Contraste fort";
pub const CONTRAST_OFF: &str = "Contraste normal";
pub const VOICE_OFF: &str = "Couper la voix";
pub const VOICE_ON: &str = "Remettre la voix";
pub const HELP_BUTTON: &str = "Appeler un conseiller";
pub const HELP_CALLED: &str = "Un conseiller va venir vous aider. Restez ici, s'il vous plaît.";
pub const HELP_OK: &str = "D'accord";
pub const IDLE_QUESTION: &str = "Êtes-vous toujours là ?";
pub const IDLE_EXPLAIN: &str = "Sans réponse, tout sera effacé dans {n} secondes.";
pub const IDLE_MORE: &str = "J'ai besoin de plus de temps";
pub const IDLE_PAPERS: &str = "Je vais chercher mes papiers";

pub const MEDIATOR_ENTRY: &str = "Je suis conseiller";
pub const PIN_TITLE: &str = "Code conseiller";
pub const PIN_ERASE: &str = "Effacer";
pub const PIN_OK: &str = "Valider";
pub const PIN_CANCEL: &str = "Annuler";
pub const PIN_WRONG: &str = "Code incorrect. Essayez encore.";
pub const PIN_LOCKED: &str = "Trop d'essais. Réessayez plus tard.";
pub const PIN_UNAVAILABLE: &str = "L'espace conseiller n'est pas réglé sur cette borne.";
pub const MEDIATOR_TITLE: &str = "Espace conseiller";
pub const MEDIATOR_RULE: &str = "Aidez la personne sans faire à sa place. Elle tape elle-même ses mots de passe.";
pub const MEDIATOR_PAUSE: &str = "Mettre le minuteur en pause";
pub const MEDIATOR_RESUME: &str = "Relancer le minuteur";
pub const MEDIATOR_BACK: &str = "Revenir d'une étape";
pub const MEDIATOR_END: &str = "Terminer et tout effacer";
pub const MEDIATOR_CLOSE: &str = "Fermer";

pub const SEARCH_BUTTON: &str = "Chercher une démarche";
pub const SEARCH_TITLE: &str = "Écrivez un mot. Par exemple : CAF, carte Vitale, permis.";
pub const SEARCH_FOUND: &str = "Démarches trouvées : {n}";
pub const SEARCH_NONE: &str = "Aucune démarche trouvée. Essayez un autre mot.";
pub const SEARCH_SHOW: &str = "Voir les démarches";
pub const SEARCH_CANCEL: &str = "Annuler";
pub const SEARCH_YOURS: &str = "Votre recherche :";
pub const SEARCH_ALL: &str = "Voir toutes les démarches";
pub const KEY_SPACE: &str = "Espace";
pub const KEY_ERASE: &str = "Effacer";
pub const KEY_DIGITS: &str = "Chiffres";
pub const KEY_LETTERS: &str = "Lettres";
pub const KEY_APOSTROPHE: &str = "Apostrophe";
pub const KEY_DASH: &str = "Tiret";
pub const SITE_ASK: &str = "Vous pouvez demander de l'aide à l'accueil.";
pub const SITE_PHONE: &str = "Téléphone de l'accueil :";
pub const SITE_HOURS: &str = "Horaires d'ouverture :";
pub const MONDAY: &str = "Lundi";
pub const TUESDAY: &str = "Mardi";
pub const WEDNESDAY: &str = "Mercredi";
pub const THURSDAY: &str = "Jeudi";
pub const FRIDAY: &str = "Vendredi";
pub const SATURDAY: &str = "Samedi";
pub const SUNDAY: &str = "Dimanche";
pub const PRINT_SUMMARY: &str = "Imprimer ce résumé";
pub const PRINT_DONE: &str = "C'est imprimé. Prenez votre feuille dans l'imprimante.";
pub const PRINTER_NO_PAPER: &str = "L'imprimante n'a plus de papier.";
pub const PRINTER_JAMMED: &str = "Le papier est coincé dans l'imprimante.";
pub const PRINTER_BROKEN: &str = "L'imprimante ne marche pas pour le moment.";
pub const PRINTER_INSTEAD: &str = "Vous pouvez continuer sans imprimer. À l'accueil, on peut vous aider.";
pub const SCAN_BUTTON: &str = "Scanner la page";
pub const SCAN_DONE: &str = "Pages scannées : {n}. Elles seront effacées à la fin.";
pub const SCANNER_MISSING: &str = "Le scanner ne marche pas pour le moment.";
pub const SCANNER_INSTEAD: &str =
    "Vous pouvez continuer sans scanner. Vous pouvez aussi prendre vos papiers en photo avec votre téléphone.";
pub const SUMMARY_TITLE: &str = "Résumé de votre démarche";
pub const SUMMARY_DONE: &str = "Ce que vous avez fait :";
pub const SUMMARY_NEXT: &str = "Et après :";
pub const SUMMARY_ERASED: &str = "Rien n'est gardé sur la borne. Vos documents sont effacés à la fin.";
pub const PRINT_PAGES: &str = "Imprimer les pages";
pub const NO_PAGES: &str = "Vous n'avez pas encore scanné de page.";
pub const SCAN_PAGE_N: &str = "Page {n}";
pub const SCAN_REDO: &str = "Refaire";
pub const SCAN_LANDING: &str = "Page {n} scannée. Attendez, s'il vous plaît.";
pub const SCAN_PLACE_PAPER: &str = "Posez la feuille face écrite vers le bas, dans le coin marqué de la vitre. Ou mettez toutes vos feuilles dans le chargeur, au-dessus.";
pub const SCAN_PLACE_CARD: &str = "Posez la carte face vers le bas, dans le coin marqué de la vitre.";
pub const SCAN_TURN_CARD: &str = "Retournez la carte. Puis scannez l'autre côté.";
pub const SCAN_REDONE: &str = "La page {n} est refaite.";
pub const SCANNER_JAMMED: &str = "Le papier est coincé dans le scanner.";
pub const SCANNER_COVER_OPEN: &str = "Le couvercle du scanner est ouvert. Fermez-le, puis réessayez.";
pub const SCANNER_NO_PAPER: &str = "Le scanner ne trouve pas de feuille. Posez-la sur la vitre, puis réessayez.";
pub const SCAN_LIMIT: &str = "Vous avez scanné toutes les pages possibles pour cette visite.";
pub const SESSION_FULL: &str =
    "La borne n'a plus de place pour d'autres documents. Vos pages déjà scannées sont gardées.";
pub const PRINT_CONFIRM: &str = "Vous allez imprimer {n} pages. Touchez « Oui, imprimer ».";
pub const PRINT_CONFIRM_ONE: &str = "Vous allez imprimer 1 page. Touchez « Oui, imprimer ».";
pub const PRINT_YES: &str = "Oui, imprimer";
pub const PRINT_SENDING: &str = "Impression en cours. Attendez, s'il vous plaît.";
pub const PRINT_TAKE: &str =
    "C'est imprimé. Prenez vos pages dans l'imprimante. Reprenez aussi vos feuilles sur le scanner.";
pub const COPIES_ONE: &str = "1 copie";
pub const COPIES_MANY: &str = "{n} copies";
pub const COPY_LESS: &str = "Une copie de moins";
pub const COPY_MORE: &str = "Une copie de plus";
pub const IN_COLOUR: &str = "En couleur";
pub const IN_MONO: &str = "En noir et blanc";
pub const ALL: &[&str] = &[
    ATTRACT,
    LANGUAGE_TITLE,
    HOME_TITLE,
    HOME_SPOKEN,
    NEXT,
    BACK,
    FINISH,
    STOP,
    LISTEN,
    READ_ON,
    STEP_PROGRESS,
    SITE_ADDRESS,
    SITE_PASSWORD,
    QR_HINT,
    CHECKLIST_HINT,
    STOP_QUESTION,
    STOP_EXPLAIN,
    STOP_YES,
    STOP_NO,
    WAIT,
    END_TITLE,
    END_SCANS,
    END_PRINTS,
    END_IMPORTS,
    END_OTHER,
    END_NOTHING_LEFT,
    END_NOT_VERIFIED,
    END_BUTTON,
    OUT_OF_SERVICE_TITLE,
    OUT_OF_SERVICE_TEXT,
    START_FAILED,
    LANGUAGE_BUTTON,
    SIZE_BIGGER,
    SIZE_RESET,
    CONTRAST_ON,
    CONTRAST_OFF,
    VOICE_OFF,
    VOICE_ON,
    HELP_BUTTON,
    HELP_CALLED,
    HELP_OK,
    IDLE_QUESTION,
    IDLE_EXPLAIN,
    IDLE_MORE,
    IDLE_PAPERS,
    MEDIATOR_ENTRY,
    PIN_TITLE,
    PIN_ERASE,
    PIN_OK,
    PIN_CANCEL,
    PIN_WRONG,
    PIN_LOCKED,
    PIN_UNAVAILABLE,
    MEDIATOR_TITLE,
    MEDIATOR_RULE,
    MEDIATOR_PAUSE,
    MEDIATOR_RESUME,
    MEDIATOR_BACK,
    MEDIATOR_END,
    MEDIATOR_CLOSE,
    SEARCH_BUTTON,
    SEARCH_TITLE,
    SEARCH_FOUND,
    SEARCH_NONE,
    SEARCH_SHOW,
    SEARCH_CANCEL,
    SEARCH_YOURS,
    SEARCH_ALL,
    KEY_SPACE,
    KEY_ERASE,
    KEY_DIGITS,
    KEY_LETTERS,
    KEY_APOSTROPHE,
    KEY_DASH,
    SITE_ASK,
    SITE_PHONE,
    SITE_HOURS,
    MONDAY,
    TUESDAY,
    WEDNESDAY,
    THURSDAY,
    FRIDAY,
    SATURDAY,
    SUNDAY,
    PRINT_SUMMARY,
    PRINT_DONE,
    PRINTER_NO_PAPER,
    PRINTER_JAMMED,
    PRINTER_BROKEN,
    PRINTER_INSTEAD,
    SCAN_BUTTON,
    SCAN_DONE,
    SCANNER_MISSING,
    SCANNER_INSTEAD,
    SUMMARY_TITLE,
    SUMMARY_DONE,
    SUMMARY_NEXT,
    SUMMARY_ERASED,
    PRINT_PAGES,
    NO_PAGES,
    SCAN_PAGE_N,
    SCAN_REDO,
    SCAN_LANDING,
    SCAN_PLACE_PAPER,
    SCAN_PLACE_CARD,
    SCAN_TURN_CARD,
    SCAN_REDONE,
    SCANNER_JAMMED,
    SCANNER_COVER_OPEN,
    SCANNER_NO_PAPER,
    SCAN_LIMIT,
    SESSION_FULL,
    PRINT_CONFIRM,
    PRINT_CONFIRM_ONE,
    PRINT_YES,
    PRINT_SENDING,
    PRINT_TAKE,
    COPIES_ONE,
    COPIES_MANY,
    COPY_LESS,
    COPY_MORE,
    IN_COLOUR,
    IN_MONO,
];
