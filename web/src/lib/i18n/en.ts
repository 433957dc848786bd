import type { Messages } from '../i18n';

/** English strings. */
export const en: Messages = {
  'app.name': 'Préau',
  'app.tagline': 'The virtual classroom and collaborative work of your school workspace',
  'nav.skip': 'Skip to content',
  'nav.main': 'Main navigation',
  'nav.home': 'Home',
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
};
