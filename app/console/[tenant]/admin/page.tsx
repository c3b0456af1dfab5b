import { SubscriberImport } from '@/app/_components/console/SubscriberImport';
import type { Metadata } from 'next';
import { adminOverview } from '@/domain/admin/overview';
import { loadAllowedOrigins } from '@/domain/admin/allowed-origins';
import { listAudit } from '@/domain/audit/log';
import { loadOidcSettings } from '@/domain/auth/oidc';
import { loadRequestLimits } from '@/domain/admin/request-limits';
import { ACCESSIBILITY_STATUS_LABELS, legalForm } from '@/domain/privacy/legal';
import { RETENTION_BOUNDS, loadRetentionPolicy } from '@/domain/privacy/retention-settings';
import { AdminForm, MessageTemplateEditor } from '@/app/_components/console/AdminForm';
import { ConsoleShell, Forbidden } from '@/app/_components/console/ConsoleShell';
import { DocumentTemplateEditor } from '@/app/_components/console/DocumentTemplateEditor';
import { consolePage } from '@/app/console/_server/page';
import { formatDateTimeWithSeconds } from '@/domain/format/french';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Administration' };

/** Tenant administration: departments, agents and roles, topics, subscription lists, cascades, templates, messages, document templates, branding, OIDC, audit trail. */
export default async function AdminPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { principal, em, allowed } = await consolePage(tenant, 'admin', `/console/${tenant}/admin`);
  if (!allowed) {
    return (
      <ConsoleShell principal={principal} current="admin">
        <Forbidden />
      </ConsoleShell>
    );
  }
  const [data, audit, oidc, allowedOrigins, limits, legal, retention] = await Promise.all([
    adminOverview(em, principal.tenantId),
    listAudit(em.fork(), principal.tenantId, { limit: 30 }),
    loadOidcSettings(em.fork(), principal.tenantId),
    loadAllowedOrigins(em.fork(), principal.tenantId),
    loadRequestLimits(em.fork(), principal.tenantId),
    legalForm(em.fork(), principal.tenantId),
    loadRetentionPolicy(em.fork(), principal.tenantId),
  ]);
  const departmentOptions = data.departments.map((d) => ({ value: d.slug, label: d.name }));
  const cascadeHint = 'Étapes « pourcentage:destinataires », séparées par des virgules. Destinataires : department, head, administrators ou une adresse. Ex. 66:department, 100:head, 150:administrators';
  return (
    <ConsoleShell principal={principal} current="admin">
      <h1>Administration</h1>
      <nav aria-label="Sections">
        <ul className="tabs">
          {[['services', 'Services'], ['agents', 'Agents'], ['themes', 'Thèmes'], ['modeles', 'Modèles de réponse'], ['messages', 'Messages'], ['documents', 'Modèles de documents'], ['apparence', 'Apparence'], ['conservation', 'Conservation des données'], ['mentions', 'Confidentialité et accessibilité'], ['connexion', 'Connexion'], ['journal', 'Journal']].map(([anchor, label]) => (
            <li key={anchor}>
              <a href={`#${anchor}`}>{label}</a>
            </li>
          ))}
        </ul>
        <p>
          <a href={`/console/${tenant}/admin/courriel`}>Courriel entrant</a>
          {' · '}
          <a href={`/console/${tenant}/admin/processus`}>Processus</a>
        </p>
      </nav>

      <section id="services" aria-labelledby="services-title">
        <h2 id="services-title">Services et cascades d’escalade</h2>
        {data.departments.map((d) => (
          <AdminForm key={d.slug} tenant={tenant} resource="departments" title={d.name} initial={{ ...d }} fields={[
            { name: 'slug', label: 'Identifiant', hint: 'Ne change pas : il sert de clé.' },
            { name: 'name', label: 'Nom' },
            { name: 'email', label: 'Adresse du service', type: 'email' },
            { name: 'escalation', label: 'Cascade d’escalade', hint: cascadeHint },
          ]} />
        ))}
        <AdminForm tenant={tenant} resource="departments" title="Nouveau service" submitLabel="Créer le service" fields={[
          { name: 'slug', label: 'Identifiant' },
          { name: 'name', label: 'Nom' },
          { name: 'email', label: 'Adresse du service', type: 'email' },
          { name: 'escalation', label: 'Cascade d’escalade', hint: cascadeHint },
        ]} />
      </section>

      <section id="agents" aria-labelledby="agents-title">
        <h2 id="agents-title">Agents et rôles</h2>
        <table>
          <caption className="visually-hidden">Agents</caption>
          <thead>
            <tr>
              <th scope="col">Nom</th>
              <th scope="col">Adresse</th>
              <th scope="col">Rôles</th>
              <th scope="col">Administrateur</th>
              <th scope="col">Délégué à la protection des données</th>
              <th scope="col">Régisseur</th>
              <th scope="col">Actif</th>
            </tr>
          </thead>
          <tbody>
            {data.agents.map((a) => (
              <tr key={a.email}>
                <td>{a.name}</td>
                <td>{a.email}</td>
                <td>{a.roles || '—'}</td>
                <td>{a.isAdmin ? 'Oui' : 'Non'}</td>
                <td>{a.isDpo ? 'Oui' : 'Non'}</td>
                <td>{a.isTreasurer ? 'Oui' : 'Non'}</td>
                <td>{a.active ? 'Oui' : 'Non'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <AdminForm tenant={tenant} resource="agents" title="Créer ou modifier un agent (par son adresse)" fields={[
          { name: 'email', label: 'Adresse électronique', type: 'email' },
          { name: 'name', label: 'Nom' },
          { name: 'roles', label: 'Rôles', hint: 'service:rôle séparés par des virgules ; rôles : agent, validator (valideur), head (chef de service). Ex. etat-civil:agent, etat-civil:validator' },
          { name: 'password', label: 'Mot de passe initial ou nouveau (12 caractères au moins ; vide pour le garder)', type: 'password' },
          { name: 'isAdmin', label: 'Administrateur de la commune', type: 'checkbox' },
          { name: 'isDpo', label: 'Délégué à la protection des données (accès, export et effacement des données d’une personne)', type: 'checkbox' },
          { name: 'isTreasurer', label: 'Régisseur (paiements en ligne de la régie et fichier de rapprochement)', type: 'checkbox' },
          { name: 'active', label: 'Compte actif', type: 'checkbox' },
        ]} initial={{ active: true }} />
      </section>

      <section id="themes" aria-labelledby="themes-title">
        <h2 id="themes-title">Thèmes, délais et validation</h2>
        {data.topics.map((t) => (
          <AdminForm key={t.slug} tenant={tenant} resource="topics" title={t.label} initial={{ ...t }} fields={[
            { name: 'slug', label: 'Identifiant' },
            { name: 'label', label: 'Libellé' },
            { name: 'department', label: 'Service', type: 'select', options: departmentOptions },
            { name: 'delay', label: 'Délai (ISO 8601)', hint: 'P8D = 8 jours, PT48H = 48 heures' },
            { name: 'businessDays', label: 'Jours ouvrés (sinon calendaires)', type: 'checkbox' },
            { name: 'validationRequired', label: 'Validation obligatoire avant envoi', type: 'checkbox' },
            { name: 'active', label: 'Proposé aux citoyens', type: 'checkbox' },
          ]} />
        ))}
      </section>

      <section id="listes" aria-labelledby="listes-title">
        <h2 id="listes-title">Listes de diffusion</h2>
        <p className="muted">
          Les citoyens s’abonnent sur le portail ou par SMS (ABO identifiant, STOP identifiant). Une liste interne n’est pas proposée sur le portail.
        </p>
        {[...data.lists, { slug: '', label: '', description: '', sms: true, email: true, public: true, subscribers: undefined }].map((l) => (
          <AdminForm
            key={l.slug || 'new'}
            tenant={tenant}
            resource="lists"
            title={l.slug ? `${l.label}${l.subscribers ? ` (abonnés : ${l.subscribers.email} par courriel, ${l.subscribers.sms} par SMS)` : ''}` : 'Nouvelle liste'}
            initial={{ slug: l.slug, label: l.label, description: l.description, sms: l.sms, email: l.email, public: l.public }}
            fields={[
              { name: 'slug', label: 'Identifiant (mot-clé SMS)' },
              { name: 'label', label: 'Nom' },
              { name: 'description', label: 'Description', type: 'textarea' },
              { name: 'email', label: 'Par courriel', type: 'checkbox' },
              { name: 'sms', label: 'Par SMS', type: 'checkbox' },
              { name: 'public', label: 'Proposée aux citoyens sur le portail', type: 'checkbox' },
            ]}
          />
        ))}
        {data.lists.length ? <SubscriberImport tenant={tenant} lists={data.lists.map((l) => ({ slug: l.slug, label: l.label }))} /> : null}
      </section>

      <section id="modeles" aria-labelledby="modeles-title">
        <h2 id="modeles-title">Modèles de réponse</h2>
        <p className="muted">Variables : {'{{citizenName}} {{reference}} {{subject}} {{topicLabel}} {{departmentName}} {{dueDate}} {{receivedDate}} {{tenantName}} {{agentName}}'}</p>
        {[...data.answerTemplates, { slug: '', title: '', body: '', department: '' }].map((t) => (
          <AdminForm key={t.slug || 'new'} tenant={tenant} resource="answer-templates" title={t.title || 'Nouveau modèle'} initial={{ ...t, department: t.department ?? '' }} fields={[
            { name: 'slug', label: 'Identifiant' },
            { name: 'title', label: 'Titre' },
            { name: 'department', label: 'Service', type: 'select', options: [{ value: '', label: 'Tous les services' }, ...departmentOptions] },
            { name: 'body', label: 'Texte', type: 'textarea' },
          ]} />
        ))}
      </section>

      <section id="messages" aria-labelledby="messages-title">
        <h2 id="messages-title">Messages envoyés (accusé de réception, relances, réponse, notifications)</h2>
        {data.messageTemplates.map((m) => (
          <MessageTemplateEditor key={m.key} tenant={tenant} template={m} />
        ))}
      </section>

      <section id="documents" aria-labelledby="documents-title">
        <h2 id="documents-title">Modèles de documents</h2>
        <p className="muted">
          Courriers et documents PDF produits par Relais. Votre version remplace le modèle par défaut pour les documents produits ensuite ; l’aperçu utilise votre
          en-tête et une demande d’exemple.
        </p>
        {data.documentTemplates.map((t) => (
          <DocumentTemplateEditor key={t.name} tenant={tenant} template={t} />
        ))}
      </section>

      <section id="apparence" aria-labelledby="apparence-title">
        <h2 id="apparence-title">Apparence du portail</h2>
        <AdminForm tenant={tenant} resource="branding" title="Nom, couleurs, logo et textes" initial={{ name: data.name, ...data.branding }} fields={[
          { name: 'name', label: 'Nom de la commune' },
          { name: 'primaryColor', label: 'Couleur principale', type: 'color' },
          { name: 'accentColor', label: 'Couleur d’accent', type: 'color' },
          { name: 'logoUrl', label: 'Adresse du logo (https://…)' },
          { name: 'websiteUrl', label: 'Site de la commune' },
          { name: 'welcomeText', label: 'Texte d’accueil', type: 'textarea' },
        ]} />
        <AdminForm tenant={tenant} resource="allowed-origins" title="Sites autorisés à intégrer le formulaire" initial={{ allowedOrigins: allowedOrigins.join('\n') }} fields={[
          { name: 'allowedOrigins', label: 'Adresses des sites de la commune, une par ligne', type: 'textarea', hint: 'Par exemple https://www.ville.fr. Ces sites peuvent afficher le portail dans un cadre et appeler l’API publique depuis le navigateur ; aucun autre. Prise en compte sous une minute.' },
        ]} />
      </section>

      <section id="conservation" aria-labelledby="conservation-title">
        <h2 id="conservation-title">Conservation des données personnelles</h2>
        <p className="muted">
          Chaque nuit, les demandes closes ou rejetées depuis plus longtemps que la durée choisie sont anonymisées (noms, coordonnées, textes et réponses aux formulaires
          supprimés ; thème, service, dates et états conservés pour les statistiques), puis les fichiers, journaux et entrées d’audit trop anciens sont supprimés.
        </p>
        <AdminForm tenant={tenant} resource="retention" title="Durées de conservation" initial={Object.fromEntries(Object.entries(retention).map(([k, v]) => [k, String(v)]))} fields={
          (Object.keys(RETENTION_BOUNDS) as (keyof typeof RETENTION_BOUNDS)[]).map((name) => ({
            name,
            label: `${RETENTION_BOUNDS[name].label} (en ${RETENTION_BOUNDS[name].unit})`,
            hint: `De ${RETENTION_BOUNDS[name].min} à ${RETENTION_BOUNDS[name].max} ${RETENTION_BOUNDS[name].unit}, comptés depuis ${name === 'auditYears' ? 'l’enregistrement de l’entrée' : name === 'messageLogsMonths' ? 'l’envoi ou la réception du message' : 'la clôture de la demande'}.`,
          }))
        } />
      </section>

      <section id="mentions" aria-labelledby="mentions-title">
        <h2 id="mentions-title">Politique de confidentialité et déclaration d’accessibilité</h2>
        <p className="muted">
          Textes des pages « Politique de confidentialité » et « Déclaration d’accessibilité » du portail, liées en pied de chaque page. Les durées de conservation et
          les coordonnées de la commune y sont ajoutées automatiquement. Texte simple : une ligne vide sépare les paragraphes ; videz un texte pour revenir au texte par défaut.
        </p>
        <AdminForm tenant={tenant} resource="legal" title="Textes légaux du portail" initial={{ ...legal }} fields={[
          { name: 'privacyText', label: 'Données collectées, finalités et destinataires (politique de confidentialité)', type: 'textarea' },
          { name: 'dpoContact', label: 'Coordonnées du délégué à la protection des données', hint: 'Adresse électronique ou postale ; vide : les coordonnées de la commune.' },
          { name: 'accessibilityStatus', label: 'État de conformité au RGAA', type: 'select', options: Object.entries(ACCESSIBILITY_STATUS_LABELS).map(([value, label]) => ({ value, label: label.charAt(0).toUpperCase() + label.slice(1) })) },
          { name: 'auditDate', label: 'Date de l’audit d’accessibilité', hint: 'Au format AAAA-MM-JJ ; obligatoire pour un état partiellement ou totalement conforme.' },
          { name: 'accessibilityText', label: 'Contenus non accessibles (déclaration d’accessibilité)', type: 'textarea' },
        ]} />
      </section>

      <section id="connexion" aria-labelledby="connexion-title">
        <h2 id="connexion-title">Connexion avec ProConnect (OpenID Connect)</h2>
        <AdminForm tenant={tenant} resource="oidc" title="Fournisseur d’identité" initial={{
          enabled: oidc?.enabled ?? false, issuer: oidc?.issuer ?? 'https://auth.agentconnect.gouv.fr/api/v2', clientId: oidc?.clientId ?? '',
          scopes: oidc?.scopes ?? 'openid email given_name usual_name', label: oidc?.label ?? 'Se connecter avec ProConnect',
        }} fields={[
          { name: 'enabled', label: 'Activer', type: 'checkbox' },
          { name: 'issuer', label: 'Émetteur (issuer)' },
          { name: 'clientId', label: 'Identifiant client' },
          { name: 'clientSecret', label: 'Secret client (vide pour garder l’actuel)', type: 'password' },
          { name: 'scopes', label: 'Portées' },
          { name: 'label', label: 'Libellé du bouton' },
        ]} />
      </section>

      <section id="limites" aria-labelledby="limites-title">
        <h2 id="limites-title">Limites de l’API publique</h2>
        <AdminForm tenant={tenant} resource="limits" title="Demandes acceptées par heure" initial={{
          perAddressPerHour: String(limits.perAddressPerHour), perContactPerHour: String(limits.perContactPerHour), perTenantPerHour: String(limits.perTenantPerHour),
        }} fields={[
          { name: 'perAddressPerHour', label: 'Par adresse IP', type: 'number', hint: 'Une mairie ou un opérateur mobile peut partager une adresse entre plusieurs personnes.' },
          { name: 'perContactPerHour', label: 'Par adresse électronique ou numéro de téléphone', type: 'number' },
          { name: 'perTenantPerHour', label: 'Pour toute la commune', type: 'number' },
        ]} />
      </section>

      <section id="journal" aria-labelledby="journal-title">
        <h2 id="journal-title">Journal d’audit (30 dernières entrées)</h2>
        <p>
          <a href={`/console/${tenant}/journal`}>Ouvrir le journal complet : filtres par agent, action, période et demande, export CSV</a>
        </p>
        <table>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Agent</th>
              <th scope="col">Action</th>
              <th scope="col">Cible</th>
              <th scope="col">Résultat</th>
            </tr>
          </thead>
          <tbody>
            {audit.map((a, i) => (
              <tr key={i}>
                <td>{formatDateTimeWithSeconds(new Date(a.at))}</td>
                <td>{a.agent ?? '—'}</td>
                <td>{a.action}</td>
                <td>{a.target ?? '—'}</td>
                <td>{a.outcome === 'ok' ? 'Effectuée' : a.outcome === 'refused' ? 'Refusée' : a.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </ConsoleShell>
  );
}
