import React from 'react';
import { Link } from 'react-router-dom';
import { ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';

interface LinkInfo {
  href?: string;
  title?: string;
}

/**
 * A link to another record by its title, for ids that are not foreign keys
 * (the audit log's record, a quota counter's subject). The server resolves
 * the title within the viewer's scope into `<path>Link`; without it the raw value shows.
 */
const RecordLink: React.FC<BasePropertyProps> = ({ property, record, where }) => {
  const { translateProperty } = useTranslation();
  const params = record?.params ?? {};
  let info: LinkInfo = {};
  try {
    info = JSON.parse(String(params[`${property.path}Link`] ?? '{}')) as LinkInfo;
  } catch {
    /* no link */
  }
  const text = info.title ?? (params[property.path] == null ? '' : String(params[property.path]));
  const content = info.href ? (
    <Link to={info.href} onClick={(e) => e.stopPropagation()} style={{ color: '#3040D6', textDecoration: 'none' }}>
      {text}
    </Link>
  ) : (
    <span>{text || '—'}</span>
  );
  if (where === 'list') return content;
  return <ValueGroup label={translateProperty(property.label, property.resourceId)}>{content}</ValueGroup>;
};

export default RecordLink;
