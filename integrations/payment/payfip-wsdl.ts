/**
 * The PayFiP "paiement sécurisé" web service contract, as the DGFiP publishes it: document/literal, each operation's
 * element wraps an unqualified `arg0` (request) or `return` (response). The connector reads it from here rather than
 * from the network (the published WSDL names an internal address; the endpoint is set from PAYFIP_SERVICE_URL), and the
 * development simulator serves the same text, so both sides share one contract.
 */

/** Namespace of the service's operations. */
export const PAYFIP_SERVICE_NS =
  'http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/PaiementSecuriseService';
/** Namespace of the request types. */
export const PAYFIP_REQUEST_NS = 'http://securite.service.tpa.cp.finances.gouv.fr/requete';
/** Namespace of the response and fault types. */
export const PAYFIP_RESPONSE_NS = 'http://securite.service.tpa.cp.finances.gouv.fr/reponse';

/** The SOAP fault string PayFiP answers business errors with; the code is in the fault's detail. */
export const PAYFIP_FAULT = 'fr.gouv.finances.cp.tpa.webservice.exceptions.FonctionnelleErreur';

/** The WSDL, with `{{endpoint}}` as the service address. */
export function payfipWsdl(endpoint = 'https://www.payfip.gouv.fr/tpa/services/securite'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="PaiementSecuriseService"
  targetNamespace="${PAYFIP_SERVICE_NS}"
  xmlns:tns="${PAYFIP_SERVICE_NS}"
  xmlns:req="${PAYFIP_REQUEST_NS}"
  xmlns:rep="${PAYFIP_RESPONSE_NS}"
  xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">
  <wsdl:types>
    <xsd:schema targetNamespace="${PAYFIP_REQUEST_NS}" elementFormDefault="unqualified">
      <xsd:complexType name="CreerPaiementSecuriseRequest">
        <xsd:sequence>
          <xsd:element name="exer" type="xsd:string" minOccurs="0"/>
          <xsd:element name="mel" type="xsd:string" minOccurs="0"/>
          <xsd:element name="montant" type="xsd:string" minOccurs="0"/>
          <xsd:element name="numcli" type="xsd:string" minOccurs="0"/>
          <xsd:element name="objet" type="xsd:string" minOccurs="0"/>
          <xsd:element name="refdet" type="xsd:string" minOccurs="0"/>
          <xsd:element name="saisie" type="xsd:string" minOccurs="0"/>
          <xsd:element name="urlnotif" type="xsd:string" minOccurs="0"/>
          <xsd:element name="urlredirect" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
    </xsd:schema>
    <xsd:schema targetNamespace="${PAYFIP_RESPONSE_NS}" elementFormDefault="unqualified">
      <xsd:complexType name="CreerPaiementSecuriseResponse">
        <xsd:sequence>
          <xsd:element name="idOp" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="RecupererDetailPaiementSecuriseRequest">
        <xsd:sequence>
          <xsd:element name="idOp" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="RecupererDetailPaiementSecuriseResponse">
        <xsd:sequence>
          <xsd:element name="dattrans" type="xsd:string" minOccurs="0"/>
          <xsd:element name="exer" type="xsd:string" minOccurs="0"/>
          <xsd:element name="heurtrans" type="xsd:string" minOccurs="0"/>
          <xsd:element name="idOp" type="xsd:string" minOccurs="0"/>
          <xsd:element name="mel" type="xsd:string" minOccurs="0"/>
          <xsd:element name="montant" type="xsd:string" minOccurs="0"/>
          <xsd:element name="numauto" type="xsd:string" minOccurs="0"/>
          <xsd:element name="numcli" type="xsd:string" minOccurs="0"/>
          <xsd:element name="objet" type="xsd:string" minOccurs="0"/>
          <xsd:element name="refdet" type="xsd:string" minOccurs="0"/>
          <xsd:element name="resultrans" type="xsd:string" minOccurs="0"/>
          <xsd:element name="saisie" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="FonctionnelleErreur">
        <xsd:sequence>
          <xsd:element name="code" type="xsd:string" minOccurs="0"/>
          <xsd:element name="descriptif" type="xsd:string" minOccurs="0"/>
          <xsd:element name="libelle" type="xsd:string" minOccurs="0"/>
          <xsd:element name="severite" type="xsd:int" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
    </xsd:schema>
    <xsd:schema targetNamespace="${PAYFIP_SERVICE_NS}" elementFormDefault="unqualified">
      <xsd:element name="creerPaiementSecurise">
        <xsd:complexType><xsd:sequence><xsd:element name="arg0" type="req:CreerPaiementSecuriseRequest" minOccurs="0"/></xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="creerPaiementSecuriseResponse">
        <xsd:complexType><xsd:sequence><xsd:element name="return" type="rep:CreerPaiementSecuriseResponse" minOccurs="0"/></xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="recupererDetailPaiementSecurise">
        <xsd:complexType><xsd:sequence><xsd:element name="arg0" type="rep:RecupererDetailPaiementSecuriseRequest" minOccurs="0"/></xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="recupererDetailPaiementSecuriseResponse">
        <xsd:complexType><xsd:sequence><xsd:element name="return" type="rep:RecupererDetailPaiementSecuriseResponse" minOccurs="0"/></xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="FonctionnelleErreur" type="rep:FonctionnelleErreur"/>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="creerPaiementSecurise"><wsdl:part name="parameters" element="tns:creerPaiementSecurise"/></wsdl:message>
  <wsdl:message name="creerPaiementSecuriseResponse"><wsdl:part name="parameters" element="tns:creerPaiementSecuriseResponse"/></wsdl:message>
  <wsdl:message name="recupererDetailPaiementSecurise"><wsdl:part name="parameters" element="tns:recupererDetailPaiementSecurise"/></wsdl:message>
  <wsdl:message name="recupererDetailPaiementSecuriseResponse"><wsdl:part name="parameters" element="tns:recupererDetailPaiementSecuriseResponse"/></wsdl:message>
  <wsdl:message name="FonctionnelleErreur"><wsdl:part name="fault" element="tns:FonctionnelleErreur"/></wsdl:message>
  <wsdl:portType name="PaiementSecuriseService">
    <wsdl:operation name="creerPaiementSecurise">
      <wsdl:input message="tns:creerPaiementSecurise"/>
      <wsdl:output message="tns:creerPaiementSecuriseResponse"/>
      <wsdl:fault name="FonctionnelleErreur" message="tns:FonctionnelleErreur"/>
    </wsdl:operation>
    <wsdl:operation name="recupererDetailPaiementSecurise">
      <wsdl:input message="tns:recupererDetailPaiementSecurise"/>
      <wsdl:output message="tns:recupererDetailPaiementSecuriseResponse"/>
      <wsdl:fault name="FonctionnelleErreur" message="tns:FonctionnelleErreur"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="PaiementSecuriseServiceSoapBinding" type="tns:PaiementSecuriseService">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="creerPaiementSecurise">
      <soap:operation soapAction=""/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
      <wsdl:fault name="FonctionnelleErreur"><soap:fault name="FonctionnelleErreur" use="literal"/></wsdl:fault>
    </wsdl:operation>
    <wsdl:operation name="recupererDetailPaiementSecurise">
      <soap:operation soapAction=""/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
      <wsdl:fault name="FonctionnelleErreur"><soap:fault name="FonctionnelleErreur" use="literal"/></wsdl:fault>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="PaiementSecuriseService">
    <wsdl:port name="PaiementSecuriseServicePort" binding="tns:PaiementSecuriseServiceSoapBinding">
      <soap:address location="${escapeAttribute(endpoint)}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
