Feature: What others see in Teams with Mitel CloudLink (seed 002)
  CloudLink combines the PBX line state and the PBX user presence
  (MiVoice Office 400) into the CloudLink presence and writes it into Teams
  as an app-configured presence session; Teams combines it with the
  sessions of the Teams clients. The table below is seed 002's, row by row,
  with its columns and words. Mitel One shows the CloudLink presence.

  Background:
    Given the users alice and bob
    And alice has a desk phone on the PBX

  @CL-9 @CL-1 @CL-2 @CL-3 @CL-4 @CL-6 @CL-8 @T-AGG-2
  Scenario Outline: PBX <PBX-Telefonpräsenz>, user <PBX-Benutzerpräsenz>, Teams client <MS Teams Client-Status>
    Given alice's PBX phone presence is <PBX-Telefonpräsenz>
    And alice's PBX user presence is <PBX-Benutzerpräsenz>
    And alice's Teams client status is <MS Teams Client-Status>
    Then Mitel One shows alice as <Mitel One-Präsenz>
    And others in Teams see alice as <MS Teams-Präsenzstatus (was andere sehen)>

    Examples:
      | PBX-Telefonpräsenz | PBX-Benutzerpräsenz | Mitel One-Präsenz | MS Teams Client-Status            | MS Teams-Präsenzstatus (was andere sehen) |
      | Verfügbar          | Verfügbar           | Verfügbar         | Offline                           | Offline                                   |
      | Verfügbar          | Verfügbar           | Verfügbar         | Verbunden, inaktiv                | Abwesend                                  |
      | Verfügbar          | Verfügbar           | Verfügbar         | Verbunden, aktiv                  | Verfügbar                                 |
      | Verfügbar          | Verfügbar           | Verfügbar         | Besetzt (in Teams-Anruf/-Meeting) | Besetzt                                   |
      | Verfügbar          | Verfügbar           | Verfügbar         | Fokus/Präsentieren                | Nicht stören                              |
      | Besetzt            | Verfügbar           | Besetzt           | Offline                           | Besetzt                                   |
      | Besetzt            | Verfügbar           | Besetzt           | Verbunden, inaktiv                | Besetzt                                   |
      | Besetzt            | Verfügbar           | Besetzt           | Verbunden, aktiv                  | Besetzt                                   |
      | Besetzt            | Verfügbar           | Besetzt           | Besetzt (in Teams-Anruf/-Meeting) | Besetzt                                   |
      | Besetzt            | Verfügbar           | Besetzt           | Fokus/Präsentieren                | Nicht stören                              |
      | Verfügbar          | Besetzt             | Besetzt           | Offline                           | Besetzt                                   |
      | Verfügbar          | Besetzt             | Besetzt           | Verbunden, inaktiv                | Besetzt                                   |
      | Verfügbar          | Besetzt             | Besetzt           | Verbunden, aktiv                  | Besetzt                                   |
      | Verfügbar          | Besetzt             | Besetzt           | Besetzt (in Teams-Anruf/-Meeting) | Besetzt                                   |
      | Verfügbar          | Besetzt             | Besetzt           | Fokus/Präsentieren                | Nicht stören                              |
