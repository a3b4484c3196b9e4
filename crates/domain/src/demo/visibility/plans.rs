//! The demo deliverables: what each is, where it stops in the workflow, and how it was spread.

use super::month_texts::MONTHS;
use super::story_texts::{DRAFT_STORIES, IN_REVIEW_STORIES, PUBLISHED_STORIES};
use super::{Channel, DeliverableKind, DeliverableStatus, Plan, Spread};

pub(super) const PLANS: [Plan; 5] = [
    Plan {
        kind: DeliverableKind::Repertoire,
        status: DeliverableStatus::Published,
        title: [
            "Répertoire des associations de femmes de la diaspora africaine en Belgique (demo)",
            "Repertorium van verenigingen van Afrikaanse diasporavrouwen in België (demo)",
            "Directory of African diaspora women's associations in Belgium (demo)",
        ],
        summary: [
            "Les associations du programme qui ont accepté d'être publiées, avec les seules \
             informations qu'elles ont choisi de rendre publiques : commune, pays d'origine \
             et objectifs de développement durable. Un outil pour se connaître, échanger et \
             construire des partenariats. Données fictives de démonstration.",
            "De verenigingen van het programma die ermee instemden gepubliceerd te worden, met \
             enkel de gegevens die ze openbaar wilden maken: gemeente, landen van herkomst en \
             duurzameontwikkelingsdoelen. Een instrument om elkaar te leren kennen, ervaringen \
             uit te wisselen en samenwerkingen op te bouwen. Fictieve demonstratiegegevens.",
            "The programme's associations that agreed to be published, with only the details \
             they chose to make public: municipality, countries of origin and Sustainable \
             Development Goals. A tool to get to know one another, share experience and build \
             partnerships. Fictional demo data.",
        ],
        planned_on: (2026, 11, 16),
        document: Some("repertoire-2026.pdf"),
        sdgs: &[5, 17],
        year: None,
        stories: &[],
        entries: &[],
        changes_requested: None,
        spread: &[
            Spread {
                channel: Channel::Email,
                audience: "Programme partners: Belgian public bodies, NGOs and diaspora networks",
                copies: 180,
                reach: Some(180),
                notes: "Sent as a PDF with the programme's newsletter.",
            },
            Spread {
                channel: Channel::Event,
                audience: "Participants of the networking day of the programme in Brussels",
                copies: 120,
                reach: Some(150),
                notes: "Printed copies handed out at the welcome desk; shown on screen during \
                        the speed-networking session.",
            },
            Spread {
                channel: Channel::SocialMedia,
                audience: "Followers of the programme's pages",
                copies: 0,
                reach: Some(2300),
                notes: "One post per language with a link to the public repertoire.",
            },
        ],
    },
    Plan {
        kind: DeliverableKind::Brief,
        status: DeliverableStatus::Published,
        title: [
            "Note n° 1 — Entreprendre au pays : les femmes de la diaspora et l'économie \
             locale (demo)",
            "Nota nr. 1 — Ondernemen in het land van herkomst: diasporavrouwen en de lokale \
             economie (demo)",
            "Brief No. 1 — Enterprise back home: diaspora women and local economies (demo)",
        ],
        summary: [
            "Trois actions portées par des associations de femmes de la diaspora vivant en \
             Belgique, qui créent des revenus pour les femmes de leur pays d'origine : un \
             moulin à mil au Sénégal, un jardin maraîcher au Burkina Faso et une coopérative \
             de transformation au Bénin.",
            "Drie acties van verenigingen van diasporavrouwen in België die inkomen creëren \
             voor vrouwen in hun land van herkomst: een gierstmolen in Senegal, een \
             groentetuin in Burkina Faso en een verwerkingscoöperatie in Benin.",
            "Three actions by associations of diaspora women living in Belgium that create \
             income for women in their countries of origin: a millet mill in Senegal, a \
             market garden in Burkina Faso and a processing cooperative in Benin.",
        ],
        planned_on: (2026, 11, 23),
        document: Some("brief-1.pdf"),
        sdgs: &[1, 5, 8],
        year: None,
        stories: &PUBLISHED_STORIES,
        entries: &[],
        changes_requested: None,
        spread: &[
            Spread {
                channel: Channel::Print,
                audience: "Diaspora desks and development cooperation services of Brussels \
                           municipalities",
                copies: 300,
                reach: None,
                notes: "Posted with a cover letter from the programme.",
            },
            Spread {
                channel: Channel::Event,
                audience: "Launch evening with the associations featured, partners and donors",
                copies: 80,
                reach: Some(95),
                notes: "The three associations presented their actions.",
            },
            Spread {
                channel: Channel::SocialMedia,
                audience: "Followers of the programme's pages",
                copies: 0,
                reach: Some(4100),
                notes: "A short video per story.",
            },
        ],
    },
    Plan {
        kind: DeliverableKind::Brief,
        status: DeliverableStatus::InReview,
        title: [
            "Note n° 2 — Savoirs partagés : éducation et inclusion financière (demo)",
            "Nota nr. 2 — Gedeelde kennis: onderwijs en financiële inclusie (demo)",
            "Brief No. 2 — Shared knowledge: education and financial inclusion (demo)",
        ],
        summary: [
            "Comment des femmes des diasporas congolaise et camerounaise de Belgique \
             transmettent leurs savoirs : des groupes d'épargne pour les commerçantes de \
             Kinshasa et une bibliothèque scolaire à Bafoussam.",
            "Hoe Congolese en Kameroense diasporavrouwen in België hun kennis doorgeven: \
             spaargroepen voor handelaarsters in Kinshasa en een schoolbibliotheek in \
             Bafoussam.",
            "How Congolese and Cameroonian diaspora women in Belgium pass on what they know: \
             savings groups for women traders in Kinshasa and a school library in Bafoussam.",
        ],
        planned_on: (2027, 2, 15),
        document: None,
        sdgs: &[4, 5, 8],
        year: None,
        stories: &IN_REVIEW_STORIES,
        entries: &[],
        changes_requested: None,
        spread: &[],
    },
    Plan {
        kind: DeliverableKind::Brief,
        status: DeliverableStatus::Draft,
        title: [
            "Note n° 3 — Femmes, paix et leadership (demo)",
            "Nota nr. 3 — Vrouwen, vrede en leiderschap (demo)",
            "Brief No. 3 — Women, peace and leadership (demo)",
        ],
        summary: [
            "Des femmes de la diaspora qui renforcent la place des femmes dans la vie publique \
             et le dialogue de leur pays d'origine : l'alphabétisation à Ségou et des cercles \
             de dialogue au Burundi.",
            "Diasporavrouwen die de plaats van vrouwen in het openbare leven en de dialoog in \
             hun land van herkomst versterken: alfabetisering in Ségou en dialoogkringen in \
             Burundi.",
            "Diaspora women who strengthen women's place in public life and dialogue in their \
             countries of origin: literacy in Ségou and dialogue circles in Burundi.",
        ],
        planned_on: (2027, 5, 17),
        document: None,
        sdgs: &[4, 5, 16],
        year: None,
        stories: &DRAFT_STORIES,
        entries: &[],
        changes_requested: Some(
            "Please add the 2026 figures of the Gitega dialogue circles and have the Dutch \
             version proofread before submitting again.",
        ),
        spread: &[],
    },
    Plan {
        kind: DeliverableKind::Calendar,
        status: DeliverableStatus::Published,
        title: [
            "Calendrier 2027 — Femmes de la diaspora, actrices du développement (demo)",
            "Kalender 2027 — Diasporavrouwen, actoren van ontwikkeling (demo)",
            "2027 calendar — Diaspora women, actors of development (demo)",
        ],
        summary: [
            "Douze mois, douze portraits des associations du programme et de leurs réussites, \
             ici en Belgique et dans les pays d'origine.",
            "Twaalf maanden, twaalf portretten van de verenigingen van het programma en hun \
             successen, hier in België en in de landen van herkomst.",
            "Twelve months, twelve portraits of the programme's associations and their \
             successes, here in Belgium and in the countries of origin.",
        ],
        planned_on: (2026, 12, 1),
        document: Some("calendar-2027.pdf"),
        sdgs: &[5, 10, 17],
        year: Some(2027),
        stories: &[],
        entries: &MONTHS,
        changes_requested: None,
        spread: &[
            Spread {
                channel: Channel::Print,
                audience: "The programme's associations and their members",
                copies: 500,
                reach: None,
                notes: "Forty copies for each association featured, the rest at the \
                        programme's office.",
            },
            Spread {
                channel: Channel::Email,
                audience: "Donors and partner NGOs",
                copies: 60,
                reach: Some(60),
                notes: "With the year-end greetings of the programme.",
            },
        ],
    },
];
