//! The twelve months of the demo calendar of 2027, in French, Dutch and English.

use super::DemoEntry;

pub(super) const MONTHS: [DemoEntry; 12] = [
    DemoEntry {
        acronym: "FBD",
        headline: [
            "Le moulin de Thiès tourne pour 300 familles",
            "De molen van Thiès draait voor 300 gezinnen",
            "The Thiès mill runs for 300 families",
        ],
        caption: [
            "Femmes du Baobab a financé un moulin à mil géré par un groupement de femmes au \
             Sénégal : deux heures de pilage en moins chaque jour.",
            "Femmes du Baobab financierde een gierstmolen, beheerd door een vrouwengroep in \
             Senegal: elke dag twee uur minder stampen.",
            "Femmes du Baobab funded a millet mill run by a women's group in Senegal: two \
             fewer hours of pounding every day.",
        ],
    },
    DemoEntry {
        acronym: "RSS",
        headline: [
            "Des légumes en pleine saison sèche",
            "Groenten midden in het droge seizoen",
            "Vegetables in the middle of the dry season",
        ],
        caption: [
            "Le jardin irrigué soutenu par le Réseau Sahel Solidaire fait vivre 40 \
             maraîchères près de Koudougou, au Burkina Faso.",
            "De geïrrigeerde tuin die Réseau Sahel Solidaire steunt, geeft 40 tuinbouwsters \
             bij Koudougou in Burkina Faso een inkomen.",
            "The irrigated garden supported by Réseau Sahel Solidaire provides a living for \
             40 women growers near Koudougou, Burkina Faso.",
        ],
    },
    DemoEntry {
        acronym: "AVC",
        headline: [
            "8 mars : des femmes d'Anvers aux côtés des productrices d'argan",
            "8 maart: vrouwen uit Antwerpen naast de arganproducentes",
            "8 March: women from Antwerp stand by argan producers",
        ],
        caption: [
            "L'Atlas Vrouwen Collectief a aidé une coopérative de l'Anti-Atlas à obtenir une \
             certification biologique et à vendre son huile d'argan en Belgique.",
            "Atlas Vrouwen Collectief hielp een coöperatie in de Anti-Atlas aan een \
             biocertificaat en aan kopers voor haar arganolie in België.",
            "Atlas Vrouwen Collectief helped a cooperative in the Anti-Atlas obtain organic \
             certification and sell its argan oil in Belgium.",
        ],
    },
    DemoEntry {
        acronym: "FBB",
        headline: [
            "Le soja de Bohicon dans les rayons de Cotonou",
            "Soja uit Bohicon in de rekken van Cotonou",
            "Bohicon soya on the shelves of Cotonou",
        ],
        caption: [
            "Les 25 transformatrices soutenues par Femmes Bâtisseuses du Bénin vendent \
             désormais leur fromage de soja en supermarché.",
            "De 25 verwerksters die Femmes Bâtisseuses du Bénin steunt, verkopen hun sojakaas \
             nu in de supermarkt.",
            "The 25 processors supported by Femmes Bâtisseuses du Bénin now sell their soya \
             cheese in supermarkets.",
        ],
    },
    DemoEntry {
        acronym: "MGL",
        headline: [
            "Écouter pour apaiser : les cercles de Gitega",
            "Luisteren om te verzoenen: de kringen van Gitega",
            "Listening to make peace: the Gitega circles",
        ],
        caption: [
            "Douze facilitatrices formées par Mamans des Grands Lacs animent chaque mois des \
             cercles de dialogue entre femmes au Burundi.",
            "Twaalf facilitatoren, opgeleid door Mamans des Grands Lacs, leiden elke maand \
             dialoogkringen tussen vrouwen in Burundi.",
            "Twelve facilitators trained by Mamans des Grands Lacs lead monthly dialogue \
             circles among women in Burundi.",
        ],
    },
    DemoEntry {
        acronym: "UWG",
        headline: [
            "Des panneaux solaires pour les sages-femmes de Mbale",
            "Zonnepanelen voor de vroedvrouwen van Mbale",
            "Solar panels for the midwives of Mbale",
        ],
        caption: [
            "Ubuntu Women Gent a équipé une maternité rurale en Ouganda de panneaux solaires : \
             les accouchements de nuit ne se font plus à la lampe de poche.",
            "Ubuntu Women Gent voorzag een landelijke kraamkliniek in Oeganda van \
             zonnepanelen: nachtelijke bevallingen gebeuren niet langer bij het licht van een \
             zaklamp.",
            "Ubuntu Women Gent fitted a rural maternity clinic in Uganda with solar panels: \
             night-time births no longer happen by torchlight.",
        ],
    },
    DemoEntry {
        acronym: "EKD",
        headline: [
            "Épargner ensemble au marché de Masina",
            "Samen sparen op de markt van Masina",
            "Saving together at Masina market",
        ],
        caption: [
            "150 commerçantes de Kinshasa épargnent et empruntent dans les groupes lancés par \
             les Entrepreneuses de Kinshasa.",
            "150 handelaarsters in Kinshasa sparen en lenen in de groepen die Entrepreneuses \
             de Kinshasa opstartte.",
            "150 women traders in Kinshasa save and borrow in the groups set up by \
             Entrepreneuses de Kinshasa.",
        ],
    },
    DemoEntry {
        acronym: "SCD",
        headline: [
            "Des kits d'hygiène pour que les filles restent à l'école",
            "Hygiënekits zodat meisjes naar school blijven gaan",
            "Hygiene kits so that girls stay in school",
        ],
        caption: [
            "Les Sœurs de Conakry ont distribué 600 kits d'hygiène menstruelle réutilisables \
             dans des collèges de Guinée.",
            "Sœurs de Conakry verdeelde 600 herbruikbare menstruatiekits in middelbare \
             scholen in Guinee.",
            "Sœurs de Conakry handed out 600 reusable menstrual hygiene kits in secondary \
             schools in Guinea.",
        ],
    },
    DemoEntry {
        acronym: "FBD",
        headline: [
            "Rentrée : des bourses pour les filles de Thiès",
            "Terug naar school: beurzen voor de meisjes van Thiès",
            "Back to school: grants for the girls of Thiès",
        ],
        caption: [
            "Avec les bénéfices du moulin, le groupement soutenu par Femmes du Baobab paie les \
             fournitures de 40 collégiennes.",
            "Met de winst van de molen betaalt de groep die Femmes du Baobab steunt het \
             schoolmateriaal van 40 scholieren.",
            "With the mill's profits, the group supported by Femmes du Baobab pays for the \
             school supplies of 40 schoolgirls.",
        ],
    },
    DemoEntry {
        acronym: "RSS",
        headline: [
            "Lire le soir à Ségou",
            "'s Avonds lezen in Ségou",
            "Reading in the evening in Ségou",
        ],
        caption: [
            "90 femmes suivent les cours d'alphabétisation en bambara financés par les membres \
             du Réseau Sahel Solidaire.",
            "90 vrouwen volgen de alfabetiseringslessen in het Bambara die de leden van Réseau \
             Sahel Solidaire financieren.",
            "90 women attend the Bambara literacy classes funded by the members of Réseau \
             Sahel Solidaire.",
        ],
    },
    DemoEntry {
        acronym: "DCU",
        headline: [
            "2 000 livres pour Bafoussam",
            "2 000 boeken voor Bafoussam",
            "2,000 books for Bafoussam",
        ],
        caption: [
            "La commission des femmes de Diaspora Camerounaise Unie a ouvert une salle de \
             lecture et un club pour les filles dans un lycée du Cameroun.",
            "De vrouwencommissie van Diaspora Camerounaise Unie opende een leeszaal en een \
             club voor meisjes in een middelbare school in Kameroen.",
            "The women's committee of Diaspora Camerounaise Unie opened a reading room and a \
             girls' club in a secondary school in Cameroon.",
        ],
    },
    DemoEntry {
        acronym: "FBB",
        headline: [
            "Bâtisseuses d'ici et de là-bas",
            "Bouwsters van hier en ginder",
            "Builders here and there",
        ],
        caption: [
            "Femmes Bâtisseuses du Bénin a partagé avec ses membres ce qu'elle a appris \
             pendant la formation du programme : gouvernance, cycle de projet et plaidoyer.",
            "Femmes Bâtisseuses du Bénin deelde met haar leden wat ze tijdens de opleiding van \
             het programma leerde: bestuur, projectcyclus en belangenbehartiging.",
            "Femmes Bâtisseuses du Bénin shared with its members what it learned in the \
             programme's training: governance, the project cycle and advocacy.",
        ],
    },
];
