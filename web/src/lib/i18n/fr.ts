/** French strings: the reference catalogue; English must have the same keys. */
export const fr = {
  'app.name': 'Préau',
  'app.tagline': 'La classe virtuelle et le travail collaboratif de votre ENT',
  'nav.skip': 'Aller au contenu',
  'nav.main': 'Navigation principale',
  'nav.home': 'Accueil',
  'lang.switch': 'Langue',
  'lang.fr': 'Français',
  'lang.en': 'English',
  'home.title': 'Bienvenue sur Préau',
  'home.intro':
    'Classes en direct, groupes de travail, documents et tableaux partagés : tout le travail collaboratif de l’établissement, au même endroit.',
  'home.features': 'Ce que vous trouverez ici',
  'home.feature.live': 'Des classes en visio avec partage d’écran, mains levées et discussion.',
  'home.feature.docs':
    'Des documents et des tableaux blancs à plusieurs, avec tout leur historique.',
  'home.feature.groups': 'Des groupes de travail créés par les élèves eux-mêmes.',
  'home.feature.archive': 'Des traces conservées et vérifiables, dans le respect du RGPD.',
  'footer.text': 'Préau — logiciel libre pour les espaces numériques de travail',
} as const;
