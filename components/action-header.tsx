import React, { useEffect } from 'react';
import { useTranslation, type ActionHeaderProps } from 'adminjs';
import { documentTitle, pageTitle } from './page-title.js';

type Props = ActionHeaderProps & { OriginalComponent?: React.ComponentType<ActionHeaderProps> };

// AdminJS's header prints translateAction(action.label), which start-cases
// whatever it does not find ("Lex & Co" -> "Lex Co"): the heading goes in as a
// translation of its own, under a key only this header uses.
const KEY = 'realmgatePageTitle';

/**
 * AdminJS's action header (buttons, breadcrumbs, filter) with a heading that
 * says what the page shows, also as the document title. Registered over
 * AdminJS's own "ActionHeader" in src/admin/components.ts.
 */
const ActionHeader: React.FC<Props> = (props) => {
  const { OriginalComponent, resource, action, record } = props;
  const { i18n, translateAction, translateLabel } = useTranslation();
  const heading = pageTitle({
    actionName: action.name,
    actionType: action.actionType,
    actionLabel: translateAction(action.label, resource.id),
    resourceLabel: translateLabel(resource.name, resource.id, { defaultValue: resource.name }),
    singular: translateLabel('singular', resource.id, { defaultValue: resource.name }),
    recordTitle: record?.title,
  });
  const key = `${KEY}_${action.name}`;
  const ns = ([] as string[]).concat((i18n.options.defaultNS as string | string[] | undefined) ?? 'translation')[0]!;
  i18n.addResource(i18n.language, ns, `resources.${resource.id}.actions.${key}`, heading);
  useEffect(() => {
    document.title = documentTitle(heading);
  }, [heading]);
  if (!OriginalComponent) return null;
  return <OriginalComponent {...props} action={{ ...action, label: key }} />;
};

export default ActionHeader;
