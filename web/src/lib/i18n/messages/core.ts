import { catalogue } from './catalogue';

/** Strings of the shell: layout, navigation, home page. */
export const core = catalogue(
  {
    'app.name': 'Préau',
    'app.tagline': 'La classe virtuelle et le travail collaboratif de votre ENT',
    'nav.skip': 'Aller au contenu',
    'nav.main': 'Navigation principale',
    'nav.breadcrumbs': 'Fil d’Ariane',
    'demo.exposed':
      'Démonstration : on se connecte ici sans mot de passe, sous n’importe quel compte de démonstration. N’y mettez aucune donnée réelle.',
    'nav.home': 'Accueil',
    'nav.menu': 'Menu',
    'field.limit': '{max} caractères au maximum',
    'field.count': '{count} / {max} caractères',
    'field.left': 'Il reste {count} caractères',
    'field.over': '{count} caractères de trop',
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
  },
  {
    'app.name': 'Préau',
    'app.tagline': 'The virtual classroom and collaborative work of your school workspace',
    'nav.skip': 'Skip to content',
    'nav.main': 'Main navigation',
    'nav.breadcrumbs': 'Breadcrumb',
    'demo.exposed':
      'Demonstration: anyone signs in here without a password, as any demo account. Put no real data here.',
    'nav.home': 'Home',
    'nav.menu': 'Menu',
    'field.limit': '{max} characters at most',
    'field.count': '{count} / {max} characters',
    'field.left': '{count} characters left',
    'field.over': '{count} characters too many',
    'lang.switch': 'Language',
    'lang.fr': 'Français',
    'lang.en': 'English',
    'home.title': 'Welcome to Préau',
    'home.intro':
      'Live classes, work groups, shared documents and whiteboards: all of the school’s collaborative work in one place.',
    'home.features': 'What you will find here',
    'home.feature.live': 'Video classes with screen sharing, raised hands and chat.',
    'home.feature.docs': 'Documents and whiteboards edited together, with their whole history.',
    'home.feature.groups': 'Work groups created by students themselves.',
    'home.feature.archive': 'Traces kept and verifiable, in line with the GDPR.',
    'footer.text': 'Préau — free software for school digital workspaces',
  },
);
