import React, { useState } from 'react';
import { Box, Button, FormGroup, FormMessage, Icon, Input, Label, TextArea } from '@adminjs/design-system';
import { useTranslation, type EditPropertyProps } from 'adminjs';

interface Task {
  name: string;
  prompt: string;
}

/** The stored list (a JSON string from the server, or an array) as rows. */
function tasksOf(raw: unknown): Task[] {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = raw.trim() ? JSON.parse(raw) : [];
    } catch {
      value = [];
    }
  }
  if (!Array.isArray(value)) return [];
  return value.map((t) => ({ name: String((t as Task)?.name ?? ''), prompt: String((t as Task)?.prompt ?? '') }));
}

/**
 * An AI model's tasks as a list of items (name and prompt) with add and
 * remove, instead of raw JSON. Sends the list as JSON text, which the server
 * parses and checks with the model's schema (src/domain/models/ai-model-schema.ts).
 */
const TaskListEdit: React.FC<EditPropertyProps> = ({ property, record, onChange }) => {
  const { translateProperty } = useTranslation();
  const [tasks, setTasks] = useState<Task[]>(() => tasksOf(record?.params?.[property.path]));
  const errors = Object.entries(record?.errors ?? {}).filter(([k]) => k === property.path || k.startsWith(`${property.path}.`));
  const save = (next: Task[]) => {
    setTasks(next);
    onChange(property.path, JSON.stringify(next));
  };
  const edit = (i: number, patch: Partial<Task>) => save(tasks.map((t, j) => (j === i ? { ...t, ...patch } : t)));
  return (
    <FormGroup error={errors.length > 0} data-testid="task-list">
      <Label>{translateProperty(property.label, property.resourceId)}</Label>
      {tasks.length === 0 ? <div style={{ color: '#898A9A', marginBottom: 8 }}>No tasks yet.</div> : null}
      {tasks.map((t, i) => (
        <Box key={i} mb="lg" p="md" style={{ border: '1px solid #E4E5EF', borderRadius: 4 }} data-testid="task-item">
          <Box flex style={{ gap: 8, alignItems: 'center' }}>
            <Input
              aria-label={`Task ${i + 1} name`}
              name={`task-${i}-name`}
              placeholder="Name, e.g. Blog post"
              value={t.name}
              onChange={(e: React.ChangeEvent<HTMLInputElement>) => edit(i, { name: e.target.value })}
              style={{ flex: 1 }}
            />
            <Button type="button" variant="text" color="danger" size="icon" aria-label={`Remove task ${i + 1}`} data-testid="task-remove" onClick={() => save(tasks.filter((_, j) => j !== i))}>
              <Icon icon="Trash2" />
            </Button>
          </Box>
          <TextArea
            aria-label={`Task ${i + 1} prompt`}
            name={`task-${i}-prompt`}
            placeholder="The prompt that starts the task"
            value={t.prompt}
            onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => edit(i, { prompt: e.target.value })}
            style={{ width: '100%', marginTop: 8, minHeight: 60 }}
          />
        </Box>
      ))}
      <Button type="button" variant="outlined" size="sm" data-testid="task-add" onClick={() => save([...tasks, { name: '', prompt: '' }])}>
        <Icon icon="Plus" /> Add task
      </Button>
      <FormMessage>{errors.map(([, e]) => e.message).join('; ')}</FormMessage>
    </FormGroup>
  );
};

export default TaskListEdit;
