Feature: Mitel presence mappings (seed 002)
  The MiVoice Office 400 user presence maps onto the CloudLink presence, and
  Mitel One keeps its presence in step with the MiVO400 user presence in
  both directions. Both tables are seed 002's, row by row; "Besetzt oder
  Meeting" means either state (the MiVO400 state list calls Meeting
  "Besprechung").

  Background:
    Given the users alice
    And alice has a desk phone on the PBX

  @CL-4 @CL-1
  Scenario Outline: MiVO400 <MIVO400 Benutzerpräsenz-Status> is CloudLink <CloudLink-Präsenz>
    Then each MiVO400 state in "<MIVO400 Benutzerpräsenz-Status>" set on alice's desk phone gives CloudLink presence <CloudLink-Präsenz>

    Examples:
      | CloudLink-Präsenz | MIVO400 Benutzerpräsenz-Status |
      | Verfügbar         | Verfügbar                      |
      | Abwesend          | Abwesend                       |
      | Besetzt           | Besetzt oder Meeting           |
      | Nicht stören      | Nicht verfügbar                |

  @CL-5
  Scenario Outline: Mitel One <Mitel One-Präsenzstatus> and MiVO400 <MiVoice Office 400-Präsenzstatus> follow each other
    When alice sets <Mitel One-Präsenzstatus> in Mitel One
    Then the PBX shows alice's user presence as <MiVoice Office 400-Präsenzstatus>
    And each MiVO400 state in "<MiVoice Office 400-Präsenzstatus>" set on alice's desk phone shows in Mitel One as <Mitel One-Präsenzstatus>

    Examples:
      | Mitel One-Präsenzstatus | MiVoice Office 400-Präsenzstatus |
      | Verfügbar               | Verfügbar                        |
      | Abwesend                | Abwesend                         |
      | Besetzt                 | Besetzt oder Meeting             |
      | Nicht stören            | Nicht verfügbar                  |

  @CL-4
  Scenario: A renamed MiVO400 state keeps its meaning
    The admin may rename the five states; the name is a label, the state
    is what counts.
    Given alice is signed in to Teams on desktop
    When the admin renames the MiVO400 state "Besprechung" to "Kundentermin"
    And alice sets Kundentermin on her desk phone
    Then the PBX shows alice's user presence as Kundentermin
    And alice's CloudLink presence is Besetzt
    And alice's presence is Busy/InACall

  @CL-1
  Scenario: Without a MiVoice Office 400 there is no PBX user presence: the line state counts
    Mitel One counts as well (CL-15, features/cloudlink/reconciled.feature).
    Given alice is signed in to Teams on desktop
    And the PBX has no user presence
    Then alice's CloudLink presence is Verfügbar
    And alice's presence is Available
    When alice makes a call on her desk phone
    Then alice's CloudLink presence is Besetzt
    And alice's presence is Busy/InACall
