/** The town hall's address, opening hours, phone and e-mail, as far as the tenant gave them. */
export function ContactDetails({ contact }: { contact: { address?: string; phone?: string; email?: string; hours?: string } }) {
  if (!contact.address && !contact.phone && !contact.email && !contact.hours) return null;
  return (
    <address className="contact-card">
      {contact.address ? <p>{contact.address}</p> : null}
      {contact.hours ? <p>Horaires : {contact.hours}</p> : null}
      {contact.phone ? (
        <p>
          Téléphone : <a href={`tel:${contact.phone.replace(/\s/g, '')}`}>{contact.phone}</a>
        </p>
      ) : null}
      {contact.email ? (
        <p>
          Courriel : <a href={`mailto:${contact.email}`}>{contact.email}</a>
        </p>
      ) : null}
    </address>
  );
}
