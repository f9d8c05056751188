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
];
