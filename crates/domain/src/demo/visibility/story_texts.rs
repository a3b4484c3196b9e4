//! The success stories of the demo briefs, in French, Dutch and English.

use super::DemoStory;

pub(super) const PUBLISHED_STORIES: [DemoStory; 3] = [
    DemoStory {
        acronym: "FBD",
        country: "SN",
        sdgs: &[5, 8],
        names_representative: true,
        title: [
            "Un moulin à mil pour libérer le temps des femmes de Thiès",
            "Een gierstmolen die de vrouwen van Thiès tijd teruggeeft",
            "A millet mill that gives the women of Thiès their time back",
        ],
        body: [
            "Chaque matin, les femmes d'un quartier de Thiès passaient plus de deux heures à \
             piler le mil. En 2025, Femmes du Baobab, association de Saint-Gilles, a réuni \
             4 800 euros lors de repas solidaires et d'une tombola pour financer un moulin \
             électrique, géré par le groupement de femmes du quartier. {name}, présidente de \
             l'association, a accompagné le groupement pour fixer un tarif de mouture et tenir \
             une caisse. Un an plus tard, le moulin sert plus de 300 familles, deux meunières \
             sont rémunérées et les bénéfices alimentent un fonds de microcrédit pour les \
             membres du groupement.",
            "Elke ochtend waren de vrouwen van een wijk in Thiès meer dan twee uur bezig met \
             het stampen van gierst. In 2025 zamelde Femmes du Baobab, een vereniging uit \
             Sint-Gillis, 4 800 euro in met solidariteitsmaaltijden en een tombola om een \
             elektrische molen te financieren, beheerd door de vrouwengroep van de wijk. \
             {name}, voorzitster van de vereniging, begeleidde de groep bij het vastleggen van \
             een maaltarief en het bijhouden van een kasboek. Een jaar later bedient de molen \
             meer dan 300 gezinnen, krijgen twee molenaarsters een loon en voeden de winsten \
             een microkredietfonds voor de leden van de groep.",
            "Every morning, the women of a neighbourhood of Thiès spent more than two hours \
             pounding millet. In 2025, Femmes du Baobab, an association based in Saint-Gilles, \
             raised 4,800 euros through solidarity dinners and a raffle to fund an electric \
             mill run by the neighbourhood's women's group. {name}, the association's \
             president, helped the group set a milling fee and keep a cash book. A year later, \
             the mill serves more than 300 families, two millers are paid, and the profits \
             feed a micro-credit fund for the group's members.",
        ],
        quote: Some("Le temps gagné au moulin, nos filles le passent maintenant à l'école."),
        image: "brief-1/thies-mill.jpg",
    },
    DemoStory {
        acronym: "RSS",
        country: "BF",
        sdgs: &[1, 2],
        names_representative: false,
        title: [
            "Un jardin maraîcher irrigué au goutte-à-goutte près de Koudougou",
            "Een groentetuin met druppelirrigatie bij Koudougou",
            "A drip-irrigated market garden near Koudougou",
        ],
        body: [
            "Les membres du Réseau Sahel Solidaire, originaires du Mali et du Burkina Faso, \
             ont financé ensemble un forage solaire et un système de goutte-à-goutte pour un \
             jardin d'un hectare cultivé par 40 femmes d'un village proche de Koudougou. Le \
             réseau a aussi organisé, à distance puis sur place, une formation à la gestion \
             d'une coopérative. Pendant la saison sèche, les femmes produisent désormais \
             oignons, tomates et choux qu'elles vendent au marché ; les recettes ont permis de \
             payer les frais de scolarité de 65 enfants.",
            "De leden van Réseau Sahel Solidaire, afkomstig uit Mali en Burkina Faso, \
             financierden samen een boorput op zonne-energie en een druppelirrigatiesysteem \
             voor een tuin van een hectare, bewerkt door 40 vrouwen uit een dorp bij \
             Koudougou. Het netwerk organiseerde ook, eerst op afstand en daarna ter plaatse, \
             een opleiding in het beheer van een coöperatie. In het droge seizoen telen de \
             vrouwen nu uien, tomaten en kolen die ze op de markt verkopen; met de opbrengst \
             werd het schoolgeld van 65 kinderen betaald.",
            "The members of Réseau Sahel Solidaire, who come from Mali and Burkina Faso, \
             jointly funded a solar-powered borehole and a drip irrigation system for a \
             one-hectare garden farmed by 40 women from a village near Koudougou. The network \
             also organised training in running a cooperative, first remotely and then on \
             site. In the dry season the women now grow onions, tomatoes and cabbages that \
             they sell at the market; the income has paid the school fees of 65 children.",
        ],
        quote: None,
        image: "brief-1/koudougou-garden.jpg",
    },
    DemoStory {
        acronym: "FBB",
        country: "BJ",
        sdgs: &[5, 9],
        names_representative: false,
        title: [
            "Une coopérative de transformation du soja à Bohicon",
            "Een coöperatie voor sojaverwerking in Bohicon",
            "A soya processing cooperative in Bohicon",
        ],
        body: [
            "Femmes Bâtisseuses du Bénin, association d'Ottignies-Louvain-la-Neuve, soutient \
             depuis trois ans une coopérative de 25 transformatrices de soja à Bohicon. Grâce \
             à une collecte auprès de ses membres et d'une commune partenaire en Belgique, \
             l'association a financé un séchoir, une presse et des emballages aux normes. Ses \
             membres, dont plusieurs ingénieures, ont formé les transformatrices à l'hygiène \
             et à la tenue des stocks. Le fromage et le lait de soja de la coopérative sont \
             aujourd'hui vendus dans deux supermarchés de Cotonou.",
            "Femmes Bâtisseuses du Bénin, een vereniging uit Ottignies-Louvain-la-Neuve, \
             steunt al drie jaar een coöperatie van 25 sojaverwerksters in Bohicon. Met een \
             inzameling bij haar leden en bij een partnergemeente in België financierde de \
             vereniging een droogoven, een pers en verpakkingen die aan de normen voldoen. \
             Haar leden, onder wie verschillende ingenieurs, leidden de verwerksters op in \
             hygiëne en voorraadbeheer. De sojakaas en sojamelk van de coöperatie worden nu \
             in twee supermarkten in Cotonou verkocht.",
            "Femmes Bâtisseuses du Bénin, an association based in Ottignies-Louvain-la-Neuve, \
             has supported a cooperative of 25 women soya processors in Bohicon for three \
             years. With a collection among its members and a partner municipality in \
             Belgium, the association funded a dryer, a press and packaging that meets food \
             standards. Its members, several of them engineers, trained the processors in \
             hygiene and stock keeping. The cooperative's soya cheese and soya milk are now \
             sold in two supermarkets in Cotonou.",
        ],
        quote: None,
        image: "brief-1/bohicon-soya.jpg",
    },
];

pub(super) const IN_REVIEW_STORIES: [DemoStory; 2] = [
    DemoStory {
        acronym: "EKD",
        country: "CD",
        sdgs: &[5, 8],
        names_representative: false,
        title: [
            "Des groupes d'épargne pour les commerçantes du marché de Masina",
            "Spaargroepen voor de handelaarsters van de markt van Masina",
            "Savings groups for the women traders of Masina market",
        ],
        body: [
            "Les Entrepreneuses de Kinshasa, réseau de femmes d'affaires congolaises \
             installées à Bruxelles, ont lancé avec une ONG locale six groupes d'épargne et de \
             crédit rotatifs pour 150 commerçantes du marché de Masina. Des membres de \
             l'association, comptables ou gérantes de commerce en Belgique, ont animé par \
             visioconférence puis lors d'un séjour à Kinshasa des ateliers sur le calcul de la \
             marge et la séparation des comptes du ménage et du commerce. Après un an, \
             l'épargne cumulée atteint l'équivalent de 9 000 euros et une vingtaine de \
             commerçantes ont ouvert un compte dans une institution de microfinance.",
            "Entrepreneuses de Kinshasa, een netwerk van Congolese zakenvrouwen in Brussel, \
             startte samen met een lokale ngo zes roterende spaar- en kredietgroepen voor 150 \
             handelaarsters van de markt van Masina. Leden van de vereniging die in België \
             boekhoudster of zaakvoerster zijn, gaven eerst via videogesprekken en daarna \
             tijdens een verblijf in Kinshasa workshops over het berekenen van de marge en het \
             scheiden van het huishoudgeld en de handelskas. Na een jaar bedraagt het \
             gezamenlijke spaargeld het equivalent van 9 000 euro en openden een twintigtal \
             handelaarsters een rekening bij een microfinancieringsinstelling.",
            "Entrepreneuses de Kinshasa, a network of Congolese businesswomen based in \
             Brussels, set up six rotating savings and credit groups with a local NGO for 150 \
             women traders of Masina market. Members of the association who work as \
             accountants or shop managers in Belgium ran workshops, first by video call and \
             then during a stay in Kinshasa, on working out a margin and keeping household \
             and business money apart. After one year, the groups' savings add up to the \
             equivalent of 9,000 euros and some twenty traders have opened an account with a \
             microfinance institution.",
        ],
        quote: None,
        image: "brief-2/masina-savings.jpg",
    },
    DemoStory {
        acronym: "DCU",
        country: "CM",
        sdgs: &[4, 5],
        names_representative: false,
        title: [
            "Une bibliothèque scolaire pour les filles de Bafoussam",
            "Een schoolbibliotheek voor de meisjes van Bafoussam",
            "A school library for the girls of Bafoussam",
        ],
        body: [
            "La commission des femmes de Diaspora Camerounaise Unie, à Louvain, a collecté \
             plus de 2 000 livres auprès d'écoles et de bibliothèques belges et financé leur \
             transport jusqu'à un lycée de Bafoussam. Avec les enseignantes, elle a aménagé une \
             salle de lecture et lancé un club de lecture et de soutien scolaire réservé aux \
             filles, animé chaque semaine par d'anciennes élèves. En deux ans, le taux de \
             réussite des filles au BEPC y est passé de 58 % à 71 %.",
            "De vrouwencommissie van Diaspora Camerounaise Unie in Leuven verzamelde meer dan \
             2 000 boeken bij Belgische scholen en bibliotheken en betaalde het transport naar \
             een middelbare school in Bafoussam. Samen met de leerkrachten richtte ze een \
             leeszaal in en startte ze een lees- en huiswerkclub voor meisjes, die elke week \
             door oud-leerlingen wordt begeleid. In twee jaar steeg het slaagpercentage van de \
             meisjes voor het BEPC-examen er van 58 % naar 71 %.",
            "The women's committee of Diaspora Camerounaise Unie in Leuven collected more \
             than 2,000 books from Belgian schools and libraries and paid for shipping them to \
             a secondary school in Bafoussam. With the teachers, it fitted out a reading room \
             and started a reading and homework club for girls, run every week by former \
             pupils. In two years, the girls' pass rate in the BEPC exam there rose from 58% \
             to 71%.",
        ],
        quote: None,
        image: "brief-2/bafoussam-library.jpg",
    },
];

pub(super) const DRAFT_STORIES: [DemoStory; 2] = [
    DemoStory {
        acronym: "RSS",
        country: "ML",
        sdgs: &[4, 5],
        names_representative: false,
        title: [
            "Lire, écrire et compter pour prendre la parole à Ségou",
            "Lezen, schrijven en rekenen om het woord te nemen in Ségou",
            "Reading, writing and arithmetic to speak up in Ségou",
        ],
        body: [
            "Dans trois villages du cercle de Ségou, le Réseau Sahel Solidaire finance des \
             cours d'alphabétisation en bambara pour 90 femmes, donnés le soir après les \
             travaux des champs par des animatrices formées sur place. Les membres du réseau \
             en Belgique paient les cahiers, les lampes solaires et l'indemnité des \
             animatrices grâce à une cotisation mensuelle. Plusieurs participantes tiennent \
             désormais les registres de leur association villageoise, et deux d'entre elles \
             siègent au conseil communal depuis les dernières élections.",
            "In drie dorpen van de kring Ségou financiert Réseau Sahel Solidaire \
             alfabetiseringslessen in het Bambara voor 90 vrouwen, 's avonds na het veldwerk \
             gegeven door ter plaatse opgeleide begeleidsters. De leden van het netwerk in \
             België betalen de schriften, de zonnelampen en de vergoeding van de \
             begeleidsters met een maandelijkse bijdrage. Verschillende deelneemsters houden \
             nu de registers van hun dorpsvereniging bij, en twee van hen zetelen sinds de \
             laatste verkiezingen in de gemeenteraad.",
            "In three villages of the Ségou district, Réseau Sahel Solidaire funds literacy \
             classes in Bambara for 90 women, held in the evening after work in the fields by \
             locally trained facilitators. The network's members in Belgium pay for the \
             exercise books, the solar lamps and the facilitators' allowance out of a monthly \
             contribution. Several participants now keep the records of their village \
             association, and two of them have sat on the municipal council since the last \
             elections.",
        ],
        quote: None,
        image: "brief-3/segou-literacy.jpg",
    },
    DemoStory {
        acronym: "MGL",
        country: "BI",
        sdgs: &[5, 16],
        names_representative: false,
        title: [
            "Des cercles de dialogue entre femmes des collines au Burundi",
            "Dialoogkringen voor vrouwen van de heuvels in Burundi",
            "Dialogue circles for women of the hills in Burundi",
        ],
        body: [
            "Mamans des Grands Lacs, association liégeoise de femmes burundaises et \
             rwandaises, soutient des cercles de dialogue où des femmes de différentes \
             collines de la province de Gitega se retrouvent chaque mois pour parler des \
             conflits fonciers, des violences et de l'avenir de leurs enfants. Avec l'appui \
             d'une organisation belge de consolidation de la paix, l'association a formé 12 \
             facilitatrices à l'écoute et à la médiation. En 2026, les cercles ont accompagné \
             le règlement à l'amiable de 30 litiges fonciers impliquant des veuves.",
            "Mamans des Grands Lacs, een Luikse vereniging van Burundese en Rwandese vrouwen, \
             steunt dialoogkringen waar vrouwen van verschillende heuvels in de provincie \
             Gitega elke maand samenkomen om te praten over grondconflicten, geweld en de \
             toekomst van hun kinderen. Met de steun van een Belgische vredesorganisatie \
             leidde de vereniging 12 facilitatoren op in luisteren en bemiddelen. In 2026 \
             begeleidden de kringen de minnelijke schikking van 30 grondgeschillen waarbij \
             weduwen betrokken waren.",
            "Mamans des Grands Lacs, a Liège association of Burundian and Rwandan women, \
             supports dialogue circles where women from different hills of Gitega province \
             meet every month to talk about land disputes, violence and their children's \
             future. With the support of a Belgian peacebuilding organisation, the \
             association trained 12 facilitators in listening and mediation. In 2026, the \
             circles helped settle 30 land disputes involving widows out of court.",
        ],
        quote: None,
        image: "brief-3/gitega-circles.jpg",
    },
];
