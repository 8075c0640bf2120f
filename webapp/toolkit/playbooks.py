"""The default playbooks every new workspace starts with, in Spanish and English, as data.

Written as data, not through gettext: they become the workspace's own records in its language,
which its team then edits. `services` lists, in order, the national emergency numbers (by
service, webapp/emergency_numbers) that the playbook's contacts start with; the internal, legal
and partner contacts do not exist yet, so a step says which one to add.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultPlaybook:
    key: str
    crisis_kind: str
    severity: str
    services: tuple[str, ...]
    name: dict[str, str]
    guidance: dict[str, str]
    steps: dict[str, tuple[str, ...]]


def _add(es: str, en: str) -> dict[str, str]:
    """The step that says which contact to add and link to this playbook."""
    return {
        "es": f"Agrega a este protocolo {es} (si aún no está en el directorio, créalo primero).",
        "en": f"Add {en} to this playbook (create the contact first if it is not in the directory yet).",
    }


def _steps(*pairs: dict[str, str]) -> dict[str, tuple[str, ...]]:
    return {lang: tuple(pair[lang] for pair in pairs) for lang in ("es", "en")}


def _s(es: str, en: str) -> dict[str, str]:
    return {"es": es, "en": en}


PLAYBOOKS: tuple[DefaultPlaybook, ...] = (
    DefaultPlaybook(
        key="payments",
        crisis_kind="payments",
        severity="high",
        services=(),
        name=_s("Ola de reembolsos o fallas de pago", "Refund or payment storm"),
        guidance=_s(
            "Cuando muchos clientes reclaman a la vez cobros duplicados, pagos rechazados o "
            "reembolsos que no llegan. Lo resuelve Finanzas; tú informas y contienes.",
            "When many customers complain at once about double charges, declined payments or "
            "refunds that do not arrive. Finance solves it; you inform and contain.",
        ),
        steps=_steps(
            _add(
                "a tu contacto de Finanzas (de día y fuera de horario)",
                "your Finance contact (day and after hours)",
            ),
            _s(
                "Confirma con Finanzas qué pasa, a cuántos clientes afecta y desde cuándo.",
                "Confirm with Finance what is happening, how many customers it affects and since when.",
            ),
            _s(
                "Publica una respuesta breve: reconoces el problema, di que se está revisando y cuándo darás noticias.",
                "Post a short answer: acknowledge the problem, say it is being checked and when you will give news.",
            ),
            _s(
                "Pide a los afectados sus datos solo por mensaje privado, nunca datos de tarjeta en público.",
                "Ask those affected for details only by private message, never card details in public.",
            ),
            _s(
                "Acuerda con Finanzas el plazo de reembolso y comunícalo con la misma respuesta en todos los canales.",
                "Agree the refund deadline with Finance and announce it with the same answer on every channel.",
            ),
            _s(
                "Anota en el incidente cada decisión y cierra cuando los reembolsos estén hechos.",
                "Log each decision in the incident and close it when the refunds are done.",
            ),
        ),
    ),
    DefaultPlaybook(
        key="outage",
        crisis_kind="outage",
        severity="high",
        services=(),
        name=_s("Caída del servicio u ola de quejas", "Service outage or complaint wave"),
        guidance=_s(
            "Cuando la app, la web o el servicio fallan y las quejas llegan en tiempo real. "
            "Atención al Cliente da soluciones; tú mantienes a todos informados.",
            "When the app, the website or the service fails and complaints arrive in real time. "
            "Customer Service gives solutions; you keep everyone informed.",
        ),
        steps=_steps(
            _add(
                "a tu contacto de Atención al Cliente (de día y fuera de horario)",
                "your Customer Service contact (day and after hours)",
            ),
            _s(
                "Confirma la falla con Atención al Cliente y Operaciones: qué no funciona y a quién afecta.",
                "Confirm the failure with Customer Service and Operations: what does not work and whom it affects.",
            ),
            _s(
                "Publica un aviso de que lo sabes y lo estás resolviendo; fija el mensaje.",
                "Post a notice that you know and are fixing it; pin the message.",
            ),
            _s(
                "Responde las quejas con una respuesta acordada y deriva los casos urgentes a Atención al Cliente.",
                "Answer complaints with an agreed reply and pass urgent cases to Customer Service.",
            ),
            _s(
                "Pausa las publicaciones programadas y las campañas mientras dure la falla.",
                "Pause scheduled posts and campaigns while the failure lasts.",
            ),
            _s(
                "Avisa cuando se resuelva y agradece la paciencia.",
                "Announce when it is fixed and thank people for their patience.",
            ),
        ),
    ),
    DefaultPlaybook(
        key="quality",
        crisis_kind="quality",
        severity="medium",
        services=(),
        name=_s("Queja por calidad del producto", "Product quality complaint"),
        guidance=_s(
            "Cuando un cliente denuncia un producto en mal estado, un objeto extraño o un daño. "
            "Si alguien está herido o enfermo, usa el protocolo de emergencia médica.",
            "When a customer reports a spoiled product, a foreign object or damage. If someone is "
            "hurt or ill, use the medical emergency playbook.",
        ),
        steps=_steps(
            _add("a tu contacto de Calidad", "your Quality contact"),
            _s(
                "Responde en público con empatía y pide los detalles por mensaje privado.",
                "Answer in public with empathy and ask for the details by private message.",
            ),
            _s(
                "Pide fotos, número de pedido y fecha; no discutas la versión del cliente en público.",
                "Ask for photos, the order number and the date; do not argue the customer's account in public.",
            ),
            _s(
                "Pasa el caso a Calidad con la evidencia y pregunta si hay más casos del mismo lote o proveedor.",
                "Pass the case to Quality with the evidence and ask whether there are more cases from the same batch or supplier.",
            ),
            _s(
                "Acuerda con Calidad la respuesta y la compensación, y cierra el caso con el cliente.",
                "Agree the answer and compensation with Quality, and close the case with the customer.",
            ),
        ),
    ),
    DefaultPlaybook(
        key="campaign",
        crisis_kind="campaign",
        severity="high",
        services=(),
        name=_s("Rechazo a una campaña", "Campaign backlash"),
        guidance=_s(
            "Cuando una campaña o publicación ofende o se vuelve viral por mal motivo. Marketing "
            "decide cambios en la campaña; Dirección aprueba disculpas y posturas públicas.",
            "When a campaign or post offends or goes viral for the wrong reason. Marketing decides "
            "changes to the campaign; Leadership approves apologies and public positions.",
        ),
        steps=_steps(
            _add(
                "a tus contactos de Marketing y de Dirección",
                "your Marketing and Leadership contacts",
            ),
            _s(
                "Pausa la campaña y las publicaciones programadas; no borres nada todavía.",
                "Pause the campaign and scheduled posts; do not delete anything yet.",
            ),
            _s(
                "Reúne capturas de lo publicado y de las reacciones principales para Marketing y Dirección.",
                "Collect captures of what was posted and of the main reactions for Marketing and Leadership.",
            ),
            _s(
                "Acuerda con Dirección si hay disculpa, quién la firma y en qué canales.",
                "Agree with Leadership whether to apologise, who signs it and on which channels.",
            ),
            _s(
                "No respondas uno por uno mientras no haya postura aprobada; después usa la misma respuesta.",
                "Do not answer one by one until there is an approved position; then use the same answer.",
            ),
            _s(
                "Si hay amenazas contra personas del equipo, usa el protocolo de amenaza a la seguridad.",
                "If there are threats against people on the team, use the threat to safety playbook.",
            ),
        ),
    ),
    DefaultPlaybook(
        key="operations",
        crisis_kind="operations",
        severity="medium",
        services=(),
        name=_s("Falla operativa", "Operational failure"),
        guidance=_s(
            "Cuando falla un proceso: entregas atrasadas, pedidos perdidos, inventario o logística. "
            "Operaciones lo corrige; tú informas.",
            "When a process fails: late deliveries, lost orders, stock or logistics. Operations "
            "fixes it; you inform.",
        ),
        steps=_steps(
            _add(
                "a tu contacto de Operaciones (de día y fuera de horario)",
                "your Operations contact (day and after hours)",
            ),
            _s(
                "Confirma con Operaciones qué falló, dónde y cuánto tardará la solución.",
                "Confirm with Operations what failed, where and how long the fix will take.",
            ),
            _s(
                "Informa a los clientes afectados con un plazo realista; no prometas lo que Operaciones no confirmó.",
                "Tell the affected customers a realistic deadline; do not promise what Operations has not confirmed.",
            ),
            _s(
                "Si hay compensación, acuérdala con Finanzas antes de anunciarla.",
                "If there is compensation, agree it with Finance before announcing it.",
            ),
            _s(
                "Anota la causa en el incidente para que no se repita.",
                "Log the cause in the incident so that it does not happen again.",
            ),
        ),
    ),
    DefaultPlaybook(
        key="partner",
        crisis_kind="partner",
        severity="medium",
        services=(),
        name=_s("Incidente con un socio", "Partner incident"),
        guidance=_s(
            "Cuando el problema está en un socio (un restaurante, un proveedor, un repartidor): "
            "sigue su procedimiento y sus tiempos acordados.",
            "When the problem lies with a partner (a restaurant, a supplier, a courier): follow "
            "their procedure and agreed times.",
        ),
        steps=_steps(
            _add(
                "a los socios con su encargado, teléfonos, procedimiento de quejas y tiempos de preparación o respuesta",
                "your partners with the person in charge, phones, complaint procedure and preparation or response times",
            ),
            _s(
                "Abre la ficha del socio y sigue su procedimiento de quejas.",
                "Open the partner's record and follow its complaint procedure.",
            ),
            _s(
                "Llama al encargado; si no responde en su tiempo acordado, llama a su contacto de respaldo.",
                "Call the person in charge; if they do not answer within the agreed time, call their backup.",
            ),
            _s(
                "Responde al cliente con lo que el socio confirme y el plazo de solución.",
                "Answer the customer with what the partner confirms and when it will be solved.",
            ),
            _s(
                "Si hay personas heridas o en peligro, usa el protocolo de emergencia correspondiente.",
                "If people are hurt or in danger, use the matching emergency playbook.",
            ),
        ),
    ),
    DefaultPlaybook(
        key="medical",
        crisis_kind="medical",
        severity="critical",
        services=("general", "ambulance", "medical", "poison_control"),
        name=_s("Emergencia médica", "Medical emergency"),
        guidance=_s(
            "Cuando alguien está herido, enfermo o intoxicado (un cliente, un repartidor, alguien "
            "del equipo). Llama primero a emergencias; la comunicación viene después.",
            "When someone is hurt, ill or poisoned (a customer, a courier, someone on the team). "
            "Call emergency services first; communication comes later.",
        ),
        steps=_steps(
            _s(
                "Llama al número de emergencias; di dónde estás, qué pasó y cuántas personas hay.",
                "Call the emergency number; say where you are, what happened and how many people are involved.",
            ),
            _s(
                "Sigue las indicaciones de quien te atienda hasta que llegue la ayuda.",
                "Follow the instructions of whoever answers until help arrives.",
            ),
            _add(
                "a tu contacto médico (servicio médico de la empresa o clínica acordada)",
                "your medical contact (company medical service or agreed clinic)",
            ),
            _s(
                "Avisa a Dirección y, si hay responsabilidad de la marca, a Legal.",
                "Tell Leadership and, if the brand may be liable, Legal.",
            ),
            _s(
                "No publiques nada sobre la persona ni su estado; protege su privacidad.",
                "Publish nothing about the person or their condition; protect their privacy.",
            ),
        ),
    ),
    DefaultPlaybook(
        key="legal",
        crisis_kind="legal",
        severity="high",
        services=(),
        name=_s("Amenaza legal o difamación", "Legal threat or defamation"),
        guidance=_s(
            "Cuando alguien amenaza con demandar, acusa a la marca de un delito o difunde "
            "afirmaciones falsas. Legal decide; no negocies en público.",
            "When someone threatens to sue, accuses the brand of a crime or spreads false claims. "
            "Legal decides; do not negotiate in public.",
        ),
        steps=_steps(
            _add(
                "a tu contacto de Legal (acordado con el departamento legal)",
                "your Legal contact (agreed with the legal department)",
            ),
            _s(
                "Guarda enlaces, fechas y capturas de las publicaciones, sin responder todavía.",
                "Keep links, dates and captures of the posts, without answering yet.",
            ),
            _s(
                "Envía el caso a Legal y espera su indicación antes de borrar, responder u ocultar nada.",
                "Send the case to Legal and wait for its advice before deleting, answering or hiding anything.",
            ),
            _s(
                "No admitas responsabilidad ni des detalles del caso en público.",
                "Do not admit liability or give details of the case in public.",
            ),
            _s(
                "Informa a Dirección de la postura acordada con Legal.",
                "Tell Leadership the position agreed with Legal.",
            ),
        ),
    ),
    DefaultPlaybook(
        key="fire",
        crisis_kind="fire",
        severity="critical",
        services=("general", "fire", "civil_protection"),
        name=_s("Incendio o evacuación", "Fire or evacuation"),
        guidance=_s(
            "Cuando hay fuego, humo, fuga de gas, sismo o una orden de evacuar. No lo manejes tú: "
            "sal, llama a emergencias y sigue a protección civil.",
            "When there is fire, smoke, a gas leak, an earthquake or an order to evacuate. Do not "
            "handle it yourself: get out, call emergency services and follow civil protection.",
        ),
        steps=_steps(
            _s(
                "Sal del lugar por la ruta de evacuación; no uses elevadores.",
                "Leave by the evacuation route; do not use lifts.",
            ),
            _s(
                "Llama al número de emergencias o a bomberos desde un lugar seguro.",
                "Call the emergency number or the fire brigade from a safe place.",
            ),
            _s(
                "Cuenta a las personas en el punto de reunión y avisa si falta alguien.",
                "Count people at the assembly point and report anyone missing.",
            ),
            _add(
                "a los responsables de cada sede (brigada interna o administración del edificio)",
                "the person responsible for each site (internal brigade or building management)",
            ),
            _s(
                "Publica solo información confirmada y remite a los canales oficiales.",
                "Publish only confirmed information and point to the official channels.",
            ),
        ),
    ),
    DefaultPlaybook(
        key="road_accident",
        crisis_kind="road_accident",
        severity="critical",
        services=("general", "police", "ambulance", "medical"),
        name=_s("Accidente de tránsito", "Road accident"),
        guidance=_s(
            "Cuando un repartidor, un vehículo de la marca o un cliente sufre un accidente. Llama "
            "a emergencias; no muevas a las personas heridas.",
            "When a courier, a company vehicle or a customer has an accident. Call emergency "
            "services; do not move injured people.",
        ),
        steps=_steps(
            _s(
                "Llama al número de emergencias con la ubicación exacta y cuántas personas están heridas.",
                "Call the emergency number with the exact location and how many people are hurt.",
            ),
            _s(
                "Pide que nadie mueva a los heridos y que se señalice el lugar.",
                "Ask that nobody moves the injured and that the place is marked.",
            ),
            _add(
                "a tu contacto de Operaciones y a la aseguradora de la flota",
                "your Operations contact and the fleet's insurer",
            ),
            _s(
                "Avisa a Legal antes de cualquier declaración sobre responsabilidades.",
                "Tell Legal before any statement about liability.",
            ),
            _s(
                "No publiques imágenes ni nombres de las personas involucradas.",
                "Do not publish images or names of the people involved.",
            ),
        ),
    ),
    DefaultPlaybook(
        key="safety_threat",
        crisis_kind="safety_threat",
        severity="critical",
        services=(
            "general",
            "police",
            "investigations_police",
            "kidnapping_extortion",
            "gender_violence",
            "crisis_line",
            "anonymous_report",
        ),
        name=_s("Amenaza a la seguridad de alguien", "Threat to someone's safety"),
        guidance=_s(
            "Cuando alguien amenaza con hacer daño a una persona, anuncia que se hará daño, hay "
            "extorsión o acoso grave. Es para la policía: no lo manejes tú.",
            "When someone threatens to harm a person, says they will harm themselves, or there "
            "is extortion or serious harassment. It is for the police: do not handle it yourself.",
        ),
        steps=_steps(
            _s(
                "Si hay peligro inmediato, llama al número de emergencias o a la policía ahora.",
                "If there is immediate danger, call the emergency number or the police now.",
            ),
            _s(
                "Guarda el enlace, el usuario y la hora del mensaje; no respondas ni confrontes a quien amenaza.",
                "Keep the link, the account and the time of the message; do not answer or confront whoever threatens.",
            ),
            _s(
                "Avisa a la persona amenazada y a Dirección.",
                "Tell the person threatened and Leadership.",
            ),
            _add("a tu contacto de Legal", "your Legal contact"),
            _s(
                "Reporta la cuenta a la plataforma y presenta la denuncia ante la autoridad.",
                "Report the account to the platform and file a report with the authorities.",
            ),
        ),
    ),
    DefaultPlaybook(
        key="illegal_content",
        crisis_kind="illegal_content",
        severity="critical",
        services=("child_abuse_report", "cybercrime", "investigations_police", "police", "general"),
        name=_s(
            "Contenido ilegal (incluido abuso sexual infantil)",
            "Illegal content (including child sexual abuse material)",
        ),
        guidance=_s(
            "Cuando aparece en tus canales contenido ilegal, en especial material de abuso sexual "
            "infantil. Nunca lo manejes tú: no lo descargues, no lo reenvíes y no hagas capturas "
            "de pantalla; conserva solo el enlace; repórtalo a la autoridad o a la línea nacional "
            "de denuncia; no respondas en público.",
            "When illegal content appears on your channels, above all child sexual abuse material. "
            "Never handle it yourself: do not download, forward or screenshot it; keep only the "
            "link; report it to the authority or the national hotline; do not reply publicly.",
        ),
        steps=_steps(
            _s(
                "No descargues, no reenvíes y no hagas capturas de pantalla del material, ni siquiera para mostrarlo al equipo.",
                "Do not download, forward or screenshot the material, not even to show it to the team.",
            ),
            _s(
                "Copia solo el enlace (URL), el usuario que lo publicó y la hora.",
                "Copy only the link (URL), the account that posted it and the time.",
            ),
            _s(
                "Repórtalo a la autoridad o a la línea nacional de denuncia de este protocolo, con el enlace.",
                "Report it to the authority or the national hotline in this playbook, with the link.",
            ),
            _s(
                "Repórtalo también a la plataforma con su herramienta de denuncia.",
                "Also report it to the platform with its reporting tool.",
            ),
            _s(
                "No respondas en público ni menciones el contenido.",
                "Do not reply publicly or mention the content.",
            ),
            _add("a tu contacto de Legal", "your Legal contact"),
            _s(
                "Avisa a Legal y a Dirección del reporte.",
                "Tell Legal and Leadership about the report.",
            ),
        ),
    ),
    DefaultPlaybook(
        key="account_takeover",
        crisis_kind="account_takeover",
        severity="high",
        services=("cybercrime",),
        name=_s("Cuenta de la marca hackeada", "Hacked brand account"),
        guidance=_s(
            "Cuando alguien toma el control de una cuenta de la marca o publica en su nombre. "
            "Recupera la cuenta por los canales oficiales de la plataforma.",
            "When someone takes over a brand account or posts in its name. Recover the account "
            "through the platform's official channels.",
        ),
        steps=_steps(
            _s(
                "Intenta cambiar la contraseña y cerrar las sesiones abiertas desde otro dispositivo.",
                "Try to change the password and end open sessions from another device.",
            ),
            _s(
                "Usa el canal oficial de recuperación de la plataforma (centro de ayuda o soporte para empresas); nunca un enlace recibido por mensaje.",
                "Use the platform's official recovery channel (help centre or business support); never a link received in a message.",
            ),
            _add(
                "el canal de recuperación de cada plataforma y a la persona de Marketing que administra las cuentas",
                "each platform's recovery channel and the Marketing person who manages the accounts",
            ),
            _s(
                "Avisa en tus otros canales que la cuenta fue comprometida y que no confíen en sus mensajes.",
                "Say on your other channels that the account was compromised and not to trust its messages.",
            ),
            _s(
                "Revisa pagos y anuncios vinculados a la cuenta con Finanzas.",
                "Check payments and ads linked to the account with Finance.",
            ),
            _s(
                "Cuando la recuperes, activa la verificación en dos pasos y revisa quién tiene acceso.",
                "Once recovered, turn on two-step verification and review who has access.",
            ),
        ),
    ),
)
